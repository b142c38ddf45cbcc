import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState, ErrorState, formatTime, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { findMessages, MESSAGE_STATUSES } from "@/lib/core/messages";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Emails" };

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The preview document: HTML bodies as they are, text bodies escaped; it renders in a sandbox="" frame. */
function previewDoc(body: string): string {
  const html = /<\s*(html|body|p|div|table|a|br)\b/i.test(body);
  const inner = html
    ? body
    : `<pre style="white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace;margin:0">${escapeHtml(body)}</pre>`;
  return `<!doctype html><meta charset="utf-8"><base target="_blank"><body style="margin:12px;font-family:system-ui,sans-serif">${inner}</body>`;
}

const STATUS_BADGE: Record<string, string> = {
  sent: "ok",
  queued: "",
  processing: "accent",
  abandoned: "danger",
};

export default async function Messages({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const writer = canWrite(await currentSession());
  const status = (MESSAGE_STATUSES as readonly string[]).includes(sp.status ?? "") ? sp.status : undefined;
  const recipient = sp.recipient?.trim() || undefined;
  const page = await attempt(() =>
    findMessages({ status, recipient, pageToken: sp.page_token || undefined, withBodies: writer }),
  );
  const next = (token: string) => {
    const p = new URLSearchParams();
    if (status) p.set("status", status);
    if (recipient) p.set("recipient", recipient);
    p.set("page_token", token);
    return `/messages?${p}`;
  };
  return (
    <div className="stack">
      <PageHeader title="Emails" description="What the courier sent, is sending, or gave up on." />
      <search>
        <form className="toolbar card" method="get" action="/messages">
          <div className="field grow">
            <label htmlFor="recipient">Recipient</label>
            <input
              id="recipient"
              name="recipient"
              type="search"
              defaultValue={recipient ?? ""}
              placeholder="exact address"
            />
          </div>
          <div className="field">
            <label htmlFor="status">Status</label>
            <select id="status" name="status" defaultValue={status ?? ""}>
              <option value="">Any</option>
              {MESSAGE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn primary">
            Filter
          </button>
          {(status || recipient) && (
            <Link className="btn" href="/messages">
              Clear
            </Link>
          )}
        </form>
      </search>
      {!writer && (
        <p className="small muted">
          Message bodies are shown to admins only: they carry recovery and verification codes.
        </p>
      )}
      {!page.ok ? (
        <ErrorState error={page.error} what="the courier messages" />
      ) : page.value.rows.length === 0 ? (
        <div className="card">
          <EmptyState title={status || recipient ? "No message matches" : "No emails yet"} />
        </div>
      ) : (
        <div className="stack" style={{ gap: "0.5rem" }}>
          {page.value.rows.map((m) => (
            <article key={m.id} className="card" aria-label={`${m.subject} to ${m.recipient}`}>
              <div className="spread">
                <div>
                  <strong>{m.subject || "(no subject)"}</strong>
                  <div className="small muted">
                    to {m.recipient} · {m.template} · {formatTime(m.createdAt)}
                    {m.sendCount > 1 ? ` · ${m.sendCount} attempts` : ""}
                  </div>
                </div>
                <span className={`badge ${STATUS_BADGE[m.status] ?? ""}`}>{m.status}</span>
              </div>
              {m.lastError && <p className="small notice error">{m.lastError}</p>}
              {m.body !== undefined && (
                <details>
                  <summary className="small">Preview</summary>
                  <iframe
                    className="mail-frame"
                    title={`Body of ${m.subject}`}
                    sandbox=""
                    srcDoc={previewDoc(m.body)}
                  />
                </details>
              )}
            </article>
          ))}
          {page.value.nextToken && (
            <nav className="spread" aria-label="Pages">
              <span>{sp.page_token && <Link href="/messages">First page</Link>}</span>
              <Link className="btn" rel="next" href={next(page.value.nextToken)}>
                Next page →
              </Link>
            </nav>
          )}
        </div>
      )}
    </div>
  );
}
