"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type ReactNode, useState } from "react";
import type { IdentityRow } from "@/lib/core/identity-view";
import { callApi } from "../api-client";
import { ConfirmDialog } from "../confirm-dialog";

type Action = "activate" | "deactivate" | "revoke_sessions" | "delete";

const ACTIONS: Record<
  Action,
  { label: string; verb: string; danger: boolean; protectsDemo: boolean; effect: string }
> = {
  activate: {
    label: "Activate",
    verb: "Activate",
    danger: false,
    protectsDemo: false,
    effect: "They will be able to sign in again.",
  },
  deactivate: {
    label: "Deactivate",
    verb: "Deactivate",
    danger: true,
    protectsDemo: true,
    effect: "They will not be able to sign in until activated again. Existing sessions stop working.",
  },
  revoke_sessions: {
    label: "Revoke sessions",
    verb: "Revoke all sessions of",
    danger: true,
    protectsDemo: false,
    effect: "They will be signed out on every device. Their accounts stay as they are.",
  },
  delete: {
    label: "Delete",
    verb: "Permanently delete",
    danger: true,
    protectsDemo: true,
    effect: "Their traits, credentials, addresses and sessions are removed. This cannot be undone.",
  },
};

interface BulkAnswer {
  done: number;
  skipped: number;
  failed: number;
  results: { id: string; outcome: string; reason?: string }[];
}

/** The identities table: keyboard-usable selection and bulk actions behind a confirmation. */
export function IdentitiesTable({
  rows,
  canWrite,
  empty,
}: {
  rows: IdentityRow[];
  canWrite: boolean;
  /** Shown instead of the table when the page has no rows (the outcome of the last action stays). */
  empty?: ReactNode;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: "ok" | "error" | "warn"; text: string } | null>(null);

  const chosen = rows.filter((r) => selected.has(r.id));
  const allSelected = rows.length > 0 && chosen.length === rows.length;
  const toggle = (id: string) => {
    const next = new Set(selected);
    next.has(id) ? next.delete(id) : next.add(id);
    setSelected(next);
  };

  const run = async () => {
    if (!pending) return;
    setBusy(true);
    const r = await callApi<BulkAnswer>("POST", "/api/identities/bulk", {
      action: pending,
      ids: chosen.map((c) => c.id),
    });
    setBusy(false);
    setPending(null);
    if (!r.ok) {
      setMessage({ kind: "error", text: r.message });
      return;
    }
    const { done, skipped, failed } = r.data;
    const reasons = r.data.results.filter((x) => x.reason).map((x) => x.reason);
    setMessage({
      kind: failed ? "error" : skipped ? "warn" : "ok",
      text: `${ACTIONS[pending].label}: ${done} done${skipped ? `, ${skipped} skipped` : ""}${failed ? `, ${failed} failed` : ""}.${reasons.length ? ` ${[...new Set(reasons)].join(" ")}` : ""}`,
    });
    setSelected(new Set());
    router.refresh();
  };

  const action = pending ? ACTIONS[pending] : null;
  const protectedOnes = action?.protectsDemo ? chosen.filter((c) => c.demo) : [];
  const affected = chosen.filter((c) => !protectedOnes.includes(c));

  return (
    <div className="stack">
      {message && (
        <div className={`notice ${message.kind}`} role="status">
          {message.text}
        </div>
      )}
      {empty}
      {!empty && canWrite && (
        <div className="row" role="toolbar" aria-label="Bulk actions">
          <span className="small muted">
            {chosen.length ? `${chosen.length} selected` : "Select identities for bulk actions"}
          </span>
          {(Object.keys(ACTIONS) as Action[]).map((a) => (
            <button
              key={a}
              type="button"
              className={`btn small${ACTIONS[a].danger ? " ghost-danger" : ""}`}
              disabled={!chosen.length}
              onClick={() => setPending(a)}
            >
              {ACTIONS[a].label}
            </button>
          ))}
        </div>
      )}
      {!empty && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Identities</caption>
            <thead>
              <tr>
                {canWrite && (
                  <th className="check" scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select all identities on this page"
                      checked={allSelected}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
                    />
                  </th>
                )}
                <th scope="col">Identifier</th>
                <th scope="col" className="hide-sm">
                  Name
                </th>
                <th scope="col">Schema</th>
                <th scope="col">State</th>
                <th scope="col" className="hide-sm">
                  Created
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} aria-selected={canWrite ? selected.has(r.id) : undefined}>
                  {canWrite && (
                    <td className="check">
                      <input
                        type="checkbox"
                        aria-label={`Select ${r.identifier}`}
                        checked={selected.has(r.id)}
                        onChange={() => toggle(r.id)}
                      />
                    </td>
                  )}
                  <td>
                    <Link href={`/identities/${r.id}`}>{r.identifier}</Link>{" "}
                    {r.demo && <span className="badge accent">demo</span>}{" "}
                    {r.verified && <span className="badge ok">verified</span>}
                    <div className="cell-id">{r.id}</div>
                  </td>
                  <td className="hide-sm">{r.name || <span className="muted">—</span>}</td>
                  <td>
                    <span className="badge">{r.schema}</span>
                  </td>
                  <td>
                    <span className={`badge ${r.state === "active" ? "ok" : "warn"}`}>{r.state}</span>
                  </td>
                  <td className="hide-sm small">{r.created ? r.created.slice(0, 10) : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={!!pending}
        title={
          action ? `${action.label} ${chosen.length} ${chosen.length === 1 ? "identity" : "identities"}?` : ""
        }
        confirmLabel={action ? `${action.label} ${affected.length}` : ""}
        danger={action?.danger}
        busy={busy}
        onCancel={() => setPending(null)}
        onConfirm={run}
      >
        {action && (
          <>
            <p>
              {action.verb} {affected.length === 1 ? "this identity" : `these ${affected.length} identities`}:{" "}
              {action.effect}
            </p>
            <ul>
              {affected.map((c) => (
                <li key={c.id}>{c.identifier}</li>
              ))}
            </ul>
            {protectedOnes.length > 0 && (
              <div className="notice warn small">
                {protectedOnes.length} demo {protectedOnes.length === 1 ? "identity is" : "identities are"}{" "}
                protected and will be skipped: {protectedOnes.map((p) => p.identifier).join(", ")}.
              </div>
            )}
          </>
        )}
      </ConfirmDialog>
    </div>
  );
}
