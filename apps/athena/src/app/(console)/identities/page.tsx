import type { Metadata } from "next";
import Link from "next/link";
import { IdentitiesTable } from "@/components/identities/identities-table";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { findIdentities } from "@/lib/core/identities";
import { listSchemas } from "@/lib/core/schemas";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Identities" };

type SP = Record<string, string | undefined>;

export default async function Identities({ searchParams }: { searchParams: Promise<SP> }) {
  const sp = await searchParams;
  const session = await currentSession();
  const writer = canWrite(session);
  const state = sp.state === "active" || sp.state === "inactive" ? sp.state : undefined;
  const q = sp.q?.trim() || undefined;
  const [page, schemas] = await Promise.all([
    attempt(() =>
      findIdentities({ q, schema: sp.schema || undefined, state, pageToken: sp.page_token || undefined }),
    ),
    attempt(listSchemas),
  ]);
  const filtered = !!(q || sp.schema || state);
  const pageHref = (token?: string) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ q, schema: sp.schema, state })) if (v) p.set(k, v);
    if (token) p.set("page_token", token);
    return `/identities${p.size ? `?${p}` : ""}`;
  };
  return (
    <div className="stack">
      <PageHeader
        title="Identities"
        description="Everyone who can sign in to this domain."
        actions={
          writer && (
            <>
              <a className="btn" href="/api/identities/export?format=csv" download>
                Export CSV
              </a>
              <a className="btn" href="/api/identities/export" download>
                Export JSON
              </a>
              <Link className="btn" href="/identities/import">
                Import
              </Link>
              <Link className="btn primary" href="/identities/new">
                Create identity
              </Link>
            </>
          )
        }
      />
      <search>
        <form className="toolbar card" method="get" action="/identities">
          <div className="field grow">
            <label htmlFor="q">Search</label>
            <input
              id="q"
              name="q"
              type="search"
              defaultValue={q ?? ""}
              placeholder="Any trait, name, address, identifier or id"
            />
          </div>
          <div className="field">
            <label htmlFor="schema">Schema</label>
            <select id="schema" name="schema" defaultValue={sp.schema ?? ""}>
              <option value="">Any</option>
              {schemas.ok &&
                schemas.value.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.id}
                  </option>
                ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="state">State</label>
            <select id="state" name="state" defaultValue={state ?? ""}>
              <option value="">Any</option>
              <option value="active">Active</option>
              <option value="inactive">Inactive</option>
            </select>
          </div>
          <button type="submit" className="btn primary">
            Search
          </button>
          {filtered && (
            <Link className="btn" href="/identities">
              Clear
            </Link>
          )}
        </form>
      </search>
      {!page.ok ? (
        <ErrorState error={page.error} what="identities" />
      ) : (
        <>
          <p className="small muted" role="status" data-testid="identities-total">
            {page.value.total} {page.value.total === 1 ? "identity" : "identities"}
            {filtered ? " match" : ""}
            {q ? ` “${q}”` : ""}
            {page.value.total > page.value.rows.length ? ` · showing ${page.value.rows.length}` : ""}
          </p>
          {/* Always mounted here, also when nothing is left: a bulk action's outcome stays on screen
              after the list it changed is reloaded (a delete of the last match, for example). */}
          <IdentitiesTable
            rows={page.value.rows}
            canWrite={writer}
            empty={
              page.value.rows.length === 0 && !page.value.nextToken ? (
                <div className="card">
                  <EmptyState title={filtered ? "No identity matches" : "No identities yet"}>
                    {filtered ? (
                      <p>
                        Every word is looked for in the traits (names, emails…), addresses, sign-in
                        identifiers and external ids; an identity id matches itself.
                      </p>
                    ) : (
                      writer && (
                        <p>
                          <Link href="/identities/new">Create the first one</Link>.
                        </p>
                      )
                    )}
                  </EmptyState>
                </div>
              ) : undefined
            }
          />
          <nav className="spread" aria-label="Pages">
            <span className="row">
              {sp.page_token && <Link href={pageHref()}>First page</Link>}
              {page.value.prevToken !== undefined && (
                <Link className="btn" href={pageHref(page.value.prevToken)} rel="prev">
                  ← Previous page
                </Link>
              )}
            </span>
            <span>
              {page.value.nextToken && (
                <Link className="btn" href={pageHref(page.value.nextToken)} rel="next">
                  Next page →
                </Link>
              )}
            </span>
          </nav>
        </>
      )}
    </div>
  );
}
