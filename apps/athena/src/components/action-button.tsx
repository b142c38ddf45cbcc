"use client";
import { useRouter } from "next/navigation";
import { type ReactNode, useState } from "react";
import { callApi } from "./api-client";
import { ConfirmDialog } from "./confirm-dialog";

/**
 * A button for one state-changing call: asks for confirmation (saying what will happen), calls
 * Athena's API, then refreshes the page or goes elsewhere. Disabled controls say why.
 */
export function ActionButton({
  label,
  title,
  description,
  confirmLabel,
  method,
  url,
  body,
  danger = false,
  small = false,
  disabledReason,
  done,
  redirectTo,
}: {
  label: string;
  title: string;
  description: ReactNode;
  confirmLabel?: string;
  method: "POST" | "PATCH" | "PUT" | "DELETE";
  url: string;
  body?: unknown;
  danger?: boolean;
  small?: boolean;
  disabledReason?: string;
  done?: string;
  redirectTo?: string;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async () => {
    setBusy(true);
    const r = await callApi(method, url, body);
    setBusy(false);
    setOpen(false);
    if (!r.ok) {
      setNote({ ok: false, text: r.message });
      return;
    }
    setNote(done ? { ok: true, text: done } : null);
    if (redirectTo) router.push(redirectTo);
    else router.refresh();
  };
  return (
    <span className="row" style={{ display: "inline-flex" }}>
      <button
        type="button"
        className={`btn${small ? " small" : ""}${danger ? " ghost-danger" : ""}`}
        disabled={!!disabledReason}
        title={disabledReason}
        aria-describedby={undefined}
        onClick={() => {
          setNote(null);
          setOpen(true);
        }}
      >
        {label}
      </button>
      {note && (
        <span
          className={`small ${note.ok ? "" : "notice error"}`}
          role={note.ok ? "status" : "alert"}
          style={note.ok ? undefined : { padding: "0.2rem 0.5rem" }}
        >
          {note.text}
        </span>
      )}
      <ConfirmDialog
        open={open}
        title={title}
        confirmLabel={confirmLabel ?? label}
        danger={danger}
        busy={busy}
        onCancel={() => setOpen(false)}
        onConfirm={run}
      >
        {description}
      </ConfirmDialog>
    </span>
  );
}
