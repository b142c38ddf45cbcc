"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { callApi } from "../api-client";
import { ConfirmDialog } from "../confirm-dialog";

const CHOICES = [
  { value: "admin", label: "admin — reads and changes everything" },
  { value: "viewer", label: "viewer — reads only" },
  { value: "", label: "no role — cannot sign in to Athena" },
] as const;

/**
 * Gives an IAM identity an Athena role or takes it away (PUT /api/identities/{id}/role). The role is
 * `metadata_admin.role`: only administrators change it, never its owner; the core audits each change.
 */
export function RoleEditor({
  id,
  identifier,
  current,
  disabledReason,
}: {
  id: string;
  identifier: string;
  current: string | null;
  disabledReason?: string;
}) {
  const router = useRouter();
  const [choice, setChoice] = useState(current ?? "");
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const next = choice || null;
  const run = async () => {
    setBusy(true);
    const r = await callApi("PUT", `/api/identities/${id}/role`, { role: next });
    setBusy(false);
    setOpen(false);
    if (!r.ok) {
      setNote({ ok: false, text: r.message });
      return;
    }
    setNote({ ok: true, text: `Role changed to ${next ?? "none"}.` });
    router.refresh();
  };
  return (
    <div className="row">
      <label htmlFor="athena-role" className="small">
        Athena role
      </label>
      <select
        id="athena-role"
        value={choice}
        disabled={!!disabledReason}
        title={disabledReason}
        onChange={(e) => setChoice(e.target.value)}
      >
        {CHOICES.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn"
        disabled={!!disabledReason || (current ?? "") === choice}
        title={disabledReason}
        onClick={() => {
          setNote(null);
          setOpen(true);
        }}
      >
        Change role
      </button>
      {note && (
        <span className={`small ${note.ok ? "" : "error"}`} role={note.ok ? "status" : "alert"}>
          {note.text}
        </span>
      )}
      <ConfirmDialog
        open={open}
        title={`Change the Athena role of ${identifier}?`}
        confirmLabel="Change role"
        danger={next === "admin"}
        busy={busy}
        onCancel={() => setOpen(false)}
        onConfirm={run}
      >
        <p>
          {identifier} goes from <strong>{current ?? "no role"}</strong> to{" "}
          <strong>{next ?? "no role"}</strong>. It applies to their next request in Athena; the change is
          recorded in the audit log.
        </p>
      </ConfirmDialog>
    </div>
  );
}
