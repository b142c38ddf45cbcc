import type { Metadata } from "next";
import Link from "next/link";
import { SessionsTable } from "@/components/sessions/sessions-table";
import { ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { findSessions } from "@/lib/core/sessions";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Sessions" };

export default async function Sessions({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const writer = canWrite(await currentSession());
  const identity = sp.identity?.trim() || undefined;
  const all = sp.all === "1";
  const page = await attempt(() =>
    findSessions({ identity, active: all ? undefined : true, pageToken: sp.page_token || undefined }),
  );
  const link = (extra: Record<string, string>) => {
    const p = new URLSearchParams();
    if (identity) p.set("identity", identity);
    if (all) p.set("all", "1");
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return `/sessions?${p}`;
  };
  return (
    <div className="stack">
      <PageHeader title="Sessions" description="Who is signed in to this domain, and where." />
      <search>
        <form className="toolbar card" method="get" action="/sessions">
          <div className="field grow">
            <label htmlFor="identity">Identity</label>
            <input
              id="identity"
              name="identity"
              type="search"
              defaultValue={identity ?? ""}
              placeholder="Email, identifier or identity id"
            />
          </div>
          <label className="check-label" htmlFor="all">
            <input id="all" name="all" value="1" type="checkbox" defaultChecked={all} /> Include ended
            sessions
          </label>
          <button type="submit" className="btn primary">
            Search
          </button>
          {(identity || all) && (
            <Link href="/sessions" className="btn">
              Clear
            </Link>
          )}
        </form>
      </search>
      {!page.ok ? (
        <ErrorState error={page.error} what="sessions" />
      ) : (
        <>
          {page.value.identities && (
            <p className="small muted" role="status">
              {page.value.identities.length === 0
                ? `No identity matches “${identity}”.`
                : `Sessions of ${page.value.identities.map((i) => i.identifier).join(", ")}.`}
            </p>
          )}
          <SessionsTable rows={page.value.rows} canWrite={writer} />
          {page.value.nextToken && (
            <nav className="spread" aria-label="Pages">
              <span>{sp.page_token && <Link href={link({}).replace(/\?$/, "")}>First page</Link>}</span>
              <Link className="btn" rel="next" href={link({ page_token: page.value.nextToken })}>
                Next page →
              </Link>
            </nav>
          )}
        </>
      )}
    </div>
  );
}
