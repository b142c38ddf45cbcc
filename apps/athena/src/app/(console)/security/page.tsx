import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "@/components/security/audit-table";
import { LocksTable } from "@/components/security/locks-table";
import { ErrorState, PageHeader } from "@/components/ui";
import { HttpError } from "@/lib/api";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { auditRange, findAudit, findLocks } from "@/lib/core/security";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Security" };

/** Event names the core writes, offered as suggestions (any name or `prefix.*` is accepted). */
const EVENTS = [
  "login.*",
  "login.succeeded",
  "login.failed",
  "login.second_factor.succeeded",
  "login.second_factor.failed",
  "lockout.*",
  "lockout.created",
  "lockout.removed",
  "registration.succeeded",
  "verification.succeeded",
  "recovery.succeeded",
  "settings.*",
  "session.revoked",
  "admin.*",
  "admin.identities.delete",
  "admin.settings.update",
];

export default async function Security({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const writer = canWrite(await currentSession());
  const event = sp.event?.trim() || undefined;
  const actor = sp.actor?.trim() || undefined;
  const target = sp.target?.trim() || undefined;
  const from = sp.from?.trim() || undefined;
  const to = sp.to?.trim() || undefined;
  let range: { since?: string; until?: string } = {};
  let rangeError: string | undefined;
  try {
    range = auditRange(from, to);
  } catch (e) {
    if (!(e instanceof HttpError)) throw e;
    rangeError = e.message;
  }
  const [locks, audit] = await Promise.all([
    attempt(() => findLocks(sp.locks_page || undefined)),
    attempt(() => findAudit({ event, actor, target, ...range, pageToken: sp.page_token || undefined })),
  ]);
  const filters = () => {
    const p = new URLSearchParams();
    if (event) p.set("event", event);
    if (actor) p.set("actor", actor);
    if (target) p.set("target", target);
    if (from && !rangeError) p.set("from", from);
    if (to && !rangeError) p.set("to", to);
    return p;
  };
  const link = (extra: Record<string, string>) => {
    const p = filters();
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    const q = p.toString();
    return `/security${q ? `?${q}` : ""}#audit-h`;
  };
  const exportHref = (format: "csv" | "json") => {
    const p = filters();
    p.set("format", format);
    return `/api/security/audit/export?${p.toString()}`;
  };
  // One clock for the whole render, so "minutes left" agrees across rows.
  const now = Date.now();
  return (
    <div className="stack">
      <PageHeader
        title="Security"
        description="Who is locked out of signing in, and the domain's security audit log."
      />
      <section className="stack" aria-labelledby="locks-h">
        <h2 id="locks-h">Sign-in locks</h2>
        <p className="small muted">
          An identifier is locked after too many wrong passwords in a row; so is a client address that fails
          for many identifiers. Locks lift by themselves when their time is up.
        </p>
        {!locks.ok ? (
          <ErrorState error={locks.error} what="sign-in locks" />
        ) : (
          <>
            <LocksTable rows={locks.value.rows} canWrite={writer} now={now} />
            {locks.value.nextToken && (
              <nav className="spread" aria-label="Lock pages">
                <span>{sp.locks_page && <Link href="/security">First page</Link>}</span>
                <Link
                  className="btn"
                  href={`/security?locks_page=${encodeURIComponent(locks.value.nextToken)}`}
                >
                  More locks →
                </Link>
              </nav>
            )}
          </>
        )}
      </section>
      <section className="stack" aria-labelledby="audit-h">
        <h2 id="audit-h">Audit log</h2>
        <search>
          <form className="toolbar card" method="get" action="/security#audit-h">
            <div className="field">
              <label htmlFor="event">Event</label>
              <input
                id="event"
                name="event"
                type="search"
                list="audit-events"
                defaultValue={event ?? ""}
                placeholder="login.* or lockout.removed"
              />
              <datalist id="audit-events">
                {EVENTS.map((e) => (
                  <option key={e} value={e} />
                ))}
              </datalist>
            </div>
            <div className="field">
              <label htmlFor="actor">Actor</label>
              <input
                id="actor"
                name="actor"
                type="search"
                defaultValue={actor ?? ""}
                placeholder="Identity id, admin or anonymous"
              />
            </div>
            <div className="field">
              <label htmlFor="from">From (UTC)</label>
              <input
                id="from"
                name="from"
                type="date"
                defaultValue={from ?? ""}
                aria-invalid={rangeError ? true : undefined}
              />
            </div>
            <div className="field">
              <label htmlFor="to">To (UTC, included)</label>
              <input
                id="to"
                name="to"
                type="date"
                defaultValue={to ?? ""}
                aria-invalid={rangeError ? true : undefined}
              />
            </div>
            <div className="field grow">
              <label htmlFor="target">Identity (target)</label>
              <input
                id="target"
                name="target"
                type="search"
                defaultValue={target ?? ""}
                placeholder="Identity id or key the event is about"
              />
            </div>
            <button type="submit" className="btn primary">
              Filter
            </button>
            {(event || actor || target || from || to) && (
              <Link href="/security#audit-h" className="btn">
                Clear
              </Link>
            )}
          </form>
        </search>
        {rangeError && (
          <div className="notice warn" role="alert">
            The date range was left out: {rangeError}.
          </div>
        )}
        <div className="row">
          <span className="small muted">Export what these filters match:</span>
          <a className="btn" href={exportHref("csv")} download>
            Export CSV
          </a>
          <a className="btn" href={exportHref("json")} download>
            Export JSON
          </a>
        </div>
        {!audit.ok ? (
          <ErrorState error={audit.error} what="the audit log" />
        ) : (
          <>
            <AuditTable rows={audit.value.rows} />
            {(audit.value.nextToken || sp.page_token) && (
              <nav className="spread" aria-label="Audit pages">
                <span>{sp.page_token && <Link href={link({})}>First page</Link>}</span>
                {audit.value.nextToken && (
                  <Link className="btn" rel="next" href={link({ page_token: audit.value.nextToken })}>
                    Older events →
                  </Link>
                )}
              </nav>
            )}
          </>
        )}
      </section>
    </div>
  );
}
