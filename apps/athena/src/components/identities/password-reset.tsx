"use client";
import { useState } from "react";
import { PASSWORD_MIN_FALLBACK } from "@/lib/policy";
import { callApi } from "../api-client";
import { ConfirmDialog } from "../confirm-dialog";

/** Sets a new password at once; the identity's current password stops working. */
export function PasswordReset({
  id,
  identifier,
  disabledReason,
  passwordMin = PASSWORD_MIN_FALLBACK,
}: {
  id: string;
  identifier: string;
  disabledReason?: string;
  /** The core's min_password_length (its policy decides; this only guides the form). */
  passwordMin?: number;
}) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const tooShort = password.length < passwordMin;
  const run = async () => {
    if (tooShort) {
      setError(`The password needs at least ${passwordMin} characters.`);
      return;
    }
    setBusy(true);
    const r = await callApi("PUT", `/api/identities/${id}/password`, { password });
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    setOpen(false);
    setPassword("");
    setDone(true);
  };
  return (
    <span className="row" style={{ display: "inline-flex" }}>
      <button
        type="button"
        className="btn"
        disabled={!!disabledReason}
        title={disabledReason}
        onClick={() => {
          setDone(false);
          setError(null);
          setOpen(true);
        }}
      >
        Reset password
      </button>
      {done && (
        <span className="small" role="status">
          Password changed.
        </span>
      )}
      <ConfirmDialog
        open={open}
        title={`Set a new password for ${identifier}?`}
        confirmLabel="Set password"
        danger
        busy={busy}
        onCancel={() => setOpen(false)}
        onConfirm={run}
      >
        <p>
          The new password applies at once; the current one stops working. Existing sessions are not ended.
        </p>
        <div className="field">
          <label htmlFor="new-password">
            New password <span className="hint">(at least {passwordMin} characters)</span>
          </label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            value={password}
            minLength={passwordMin}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={!!error}
          />
        </div>
        {error && (
          <div className="notice error small" role="alert">
            {error}
          </div>
        )}
      </ConfirmDialog>
    </span>
  );
}
