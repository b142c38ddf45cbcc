"use client";
import { useState } from "react";
import { callApi } from "../api-client";
import { CopyField } from "../copy-field";

interface Issued {
  recovery_link: string;
  recovery_code?: string;
  expires_at: string | null;
}

/** Issues a recovery link or a link + code to hand to the user out of band. */
export function RecoveryIssuer({ id, disabledReason }: { id: string; disabledReason?: string }) {
  const [busy, setBusy] = useState<"link" | "code" | null>(null);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [error, setError] = useState<string | null>(null);
  const issue = async (kind: "link" | "code") => {
    setBusy(kind);
    setError(null);
    const r = await callApi<Issued>("POST", `/api/identities/${id}/recovery`, { kind, expires_in: "1h" });
    setBusy(null);
    if (!r.ok) setError(r.message);
    else setIssued(r.data);
  };
  return (
    <div className="stack" style={{ gap: "0.5rem" }}>
      <div className="row">
        <button
          type="button"
          className="btn"
          disabled={!!disabledReason || !!busy}
          title={disabledReason}
          onClick={() => issue("link")}
        >
          {busy === "link" ? "Issuing…" : "Recovery link"}
        </button>
        <button
          type="button"
          className="btn"
          disabled={!!disabledReason || !!busy}
          title={disabledReason}
          onClick={() => issue("code")}
        >
          {busy === "code" ? "Issuing…" : "Recovery code"}
        </button>
      </div>
      {error && (
        <div className="notice error small" role="alert">
          {error}
        </div>
      )}
      {issued && (
        <div className="secret-once" role="status">
          <CopyField label="Recovery link" value={issued.recovery_link} testId="recovery-link" />
          {issued.recovery_code && (
            <CopyField label="Recovery code" value={issued.recovery_code} testId="recovery-code" />
          )}
          <span className="small">
            Valid until{" "}
            {issued.expires_at
              ? new Date(issued.expires_at).toISOString().slice(0, 16).replace("T", " ") + " UTC"
              : "it is used"}
            . Hand it over through a channel you trust.
          </span>
        </div>
      )}
    </div>
  );
}
