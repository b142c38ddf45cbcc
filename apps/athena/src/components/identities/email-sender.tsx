"use client";
import { useState } from "react";
import { callApi } from "../api-client";

/** Sends the identity a recovery or verification email through the core's courier. */
export function EmailSender({
  id,
  recoveryAddresses,
  unverifiedAddresses,
  recoveryDisabledReason,
}: {
  id: string;
  recoveryAddresses: string[];
  unverifiedAddresses: string[];
  recoveryDisabledReason?: string;
}) {
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const send = async (kind: "recovery" | "verification", address: string) => {
    setBusy(`${kind}:${address}`);
    setNote(null);
    const r = await callApi<{ address: string }>("POST", `/api/identities/${id}/email`, { kind, address });
    setBusy(null);
    setNote(
      r.ok
        ? { ok: true, text: `A ${kind} email is on its way to ${r.data.address}.` }
        : { ok: false, text: r.message },
    );
  };
  if (!recoveryAddresses.length && !unverifiedAddresses.length) {
    return <p className="small muted">No recovery or unverified address to write to.</p>;
  }
  return (
    <div className="stack" style={{ gap: "0.5rem" }}>
      <div className="row">
        {recoveryAddresses.map((a) => (
          <button
            key={`r-${a}`}
            type="button"
            className="btn"
            disabled={!!busy || !!recoveryDisabledReason}
            title={recoveryDisabledReason}
            onClick={() => send("recovery", a)}
          >
            {busy === `recovery:${a}` ? "Sending…" : `Send recovery email to ${a}`}
          </button>
        ))}
        {unverifiedAddresses.map((a) => (
          <button
            key={`v-${a}`}
            type="button"
            className="btn"
            disabled={!!busy}
            onClick={() => send("verification", a)}
          >
            {busy === `verification:${a}` ? "Sending…" : `Send verification email to ${a}`}
          </button>
        ))}
      </div>
      {note && (
        <div className={`notice small ${note.ok ? "ok" : "error"}`} role={note.ok ? "status" : "alert"}>
          {note.text}
        </div>
      )}
    </div>
  );
}
