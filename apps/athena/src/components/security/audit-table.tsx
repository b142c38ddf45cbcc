import Link from "next/link";
import { UUID_RE } from "@/lib/core/identity-view";
import type { AuditRow, Named } from "@/lib/core/security";
import { EmptyState, formatTime } from "../ui";

/** An identity by name, with its address when the name is not the address itself. */
function NamedIdentity({ id, named }: { id: string; named: Named }) {
  return (
    <Link href={`/identities/${id}`} title={id}>
      {named.name}
      {named.address !== named.name && <span className="muted"> · {named.address}</span>}
    </Link>
  );
}

function Who({ row }: { row: AuditRow }) {
  if (row.actor === "admin") {
    return (
      <>
        <span className="badge accent">admin</span>{" "}
        {row.admin ?? <span className="muted">through the admin API (no administrator named)</span>}
      </>
    );
  }
  if (row.actorNamed) return <NamedIdentity id={row.actor} named={row.actorNamed} />;
  if (UUID_RE.test(row.actor)) {
    return (
      <Link href={`/identities/${row.actor}`} className="mono">
        deleted or unknown identity {row.actor.slice(0, 8)}
      </Link>
    );
  }
  return <span className="muted">{row.actor}</span>;
}

function Target({ row }: { row: AuditRow }) {
  const value = row.target;
  if (!value) return <>—</>;
  if (row.targetNamed) return <NamedIdentity id={value} named={row.targetNamed} />;
  if (UUID_RE.test(value)) {
    return (
      <Link href={`/identities/${value}`} className="mono">
        deleted or unknown identity {value.slice(0, 8)}
      </Link>
    );
  }
  return <span className="mono">{value}</span>;
}

/** Details worth a glance, without the administrator (shown as the actor). */
const shown = (v: unknown) =>
  v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v);

/** `identity.updated` diffs read as `traits.name.first: Di → Diana`. */
function changesText(changes: unknown): string | undefined {
  if (!Array.isArray(changes)) return undefined;
  return changes
    .map(
      (c: { path?: unknown; old?: unknown; new?: unknown }) =>
        `${String(c.path)}: ${shown(c.old)} → ${shown(c.new)}`,
    )
    .join("; ");
}

function details(meta: Record<string, unknown>): string {
  const { admin: _admin, ...rest } = meta;
  const diff = changesText(rest.changes);
  if (diff) return diff.length > 300 ? `${diff.slice(0, 297)}…` : diff;
  const text = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" · ");
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/** The audit log: what happened, who did it, to what, from where. */
export function AuditTable({ rows }: { rows: AuditRow[] }) {
  if (!rows.length) return <EmptyState title="No events">Nothing matches these filters.</EmptyState>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Audit log</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col" className="hide-sm">
              Address
            </th>
            <th scope="col" className="hide-sm">
              Details
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-testid="audit-row">
              <td className="small">{formatTime(r.at)}</td>
              <td>
                <code>{r.event}</code>
              </td>
              <td className="small">
                <Who row={r} />
              </td>
              <td className="small">
                <Target row={r} />
              </td>
              <td className="hide-sm small mono" title={r.userAgent ?? undefined}>
                {r.ip ?? "—"}
              </td>
              <td className="hide-sm small muted">{details(r.metadata) || "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
