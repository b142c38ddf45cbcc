"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { clientCredentialsCurl } from "@/lib/curl";
import { callApi } from "../api-client";
import { ConfirmDialog } from "../confirm-dialog";
import { CopyField } from "../copy-field";
import { formatTime } from "../ui";

/** How long the previous secret may keep working (the core allows up to 30 days). */
const OVERLAPS = [
  { seconds: 0, label: "Not at all: it stops working now" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86400, label: "24 hours" },
  { seconds: 7 * 86400, label: "7 days" },
  { seconds: 30 * 86400, label: "30 days" },
];

interface Rotated {
  client_secret: string;
  rotated_secret_expires_at: string | null;
}

/**
 * Rotates a confidential client's secret and shows the new one once, with when the previous one
 * stops working (an overlap lets the services that use it move over without an outage).
 */
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
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  // No overlap unless chosen: a secret rotated because it leaked must stop at once.
  const [overlap, setOverlap] = useState(0);
  const [rotated, setRotated] = useState<Rotated | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    const r = await callApi<Rotated>("POST", `/api/clients/${encodeURIComponent(clientId)}/rotate`, {
      overlap_seconds: overlap,
    });
    setBusy(false);
    setOpen(false);
    if (!r.ok) setError(r.message);
    else {
      setRotated(r.data);
      router.refresh();
    }
  };
  const chosen = OVERLAPS.find((o) => o.seconds === overlap) ?? OVERLAPS[0]!;
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
      {rotated && (
        <div className="secret-once" role="status">
          <strong>New secret: copy it now, it is shown this once.</strong>
          <CopyField label="Client secret" value={rotated.client_secret} testId="rotated-secret" />
          <p className="small" data-testid="old-secret-end">
            {rotated.rotated_secret_expires_at
              ? `The old secret keeps working until ${formatTime(rotated.rotated_secret_expires_at)}, then it is refused.`
              : "The old secret no longer works."}
          </p>
          {clientCredentials && (
            <CopyField
              label="Try it: client_credentials token request"
              multiline
              value={clientCredentialsCurl({
                tokenUrl,
                clientId,
                secret: rotated.client_secret,
                method,
                scope,
              })}
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
          A new secret is generated and shown once. Every service using the current secret must be given the
          new one.
        </p>
        <div className="field">
          <label htmlFor="rotate-overlap">Keep the current secret working for</label>
          <select id="rotate-overlap" value={overlap} onChange={(e) => setOverlap(Number(e.target.value))}>
            {OVERLAPS.map((o) => (
              <option key={o.seconds} value={o.seconds}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <p className="small">
          {overlap
            ? `Both secrets work for ${chosen.label}; then the current one is refused.`
            : "The current secret stops working at once."}{" "}
          A secret still in an earlier overlap stops working now.
        </p>
      </ConfirmDialog>
    </div>
  );
}
