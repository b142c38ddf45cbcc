"use client";
import { useState } from "react";
import { clientCredentialsCurl } from "@/lib/curl";
import { callApi } from "../api-client";
import { ConfirmDialog } from "../confirm-dialog";
import { CopyField } from "../copy-field";

/** Rotates a confidential client's secret and shows the new one once. */
export function RotateSecret({
  clientId,
  tokenUrl,
  method,
  scope,
  clientCredentials,
}: {
  clientId: string;
  tokenUrl: string;
  method: string;
  scope: string;
  clientCredentials: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    const r = await callApi<{ client_secret: string }>(
      "POST",
      `/api/clients/${encodeURIComponent(clientId)}/rotate`,
    );
    setBusy(false);
    setOpen(false);
    if (!r.ok) setError(r.message);
    else setSecret(r.data.client_secret);
  };
  return (
    <div className="stack" style={{ gap: "0.5rem" }}>
      <div>
        <button
          type="button"
          className="btn"
          onClick={() => {
            setError(null);
            setOpen(true);
          }}
        >
          Rotate secret
        </button>
      </div>
      {error && (
        <div className="notice error small" role="alert">
          {error}
        </div>
      )}
      {secret && (
        <div className="secret-once" role="status">
          <strong>New secret: copy it now, it is shown this once. The old secret no longer works.</strong>
          <CopyField label="Client secret" value={secret} testId="rotated-secret" />
          {clientCredentials && (
            <CopyField
              label="Try it: client_credentials token request"
              multiline
              value={clientCredentialsCurl({ tokenUrl, clientId, secret, method, scope })}
            />
          )}
        </div>
      )}
      <ConfirmDialog
        open={open}
        title={`Rotate the secret of ${clientId}?`}
        confirmLabel="Rotate secret"
        danger
        busy={busy}
        onCancel={() => setOpen(false)}
        onConfirm={run}
      >
        <p>
          A new secret is generated and shown once. The current secret stops working at once: every service
          using it must be given the new one.
        </p>
      </ConfirmDialog>
    </div>
  );
}
