"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { PASSWORD_MIN_FALLBACK } from "@/lib/policy";
import { fieldsOf, traitsFrom } from "@/lib/schema-form";
import { callApi } from "../api-client";
import { SchemaFields } from "../schema-fields";

export interface SchemaChoice {
  id: string;
  title: string;
  traits: Record<string, unknown>;
}

/** Pick a schema, fill the form generated from its traits, optionally set a password. */
export function CreateIdentityForm({
  schemas,
  initial,
  withRole = false,
  passwordMin = PASSWORD_MIN_FALLBACK,
}: {
  schemas: SchemaChoice[];
  initial: string;
  /** The core's min_password_length (its policy decides; this only guides the form). */
  passwordMin?: number;
  /** IAM: offer the Athena role (`metadata_admin.role`), which is not a trait. */
  withRole?: boolean;
}) {
  const router = useRouter();
  const [schemaId, setSchemaId] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const schema = schemas.find((s) => s.id === schemaId) ?? schemas[0]!;
  const fields = useMemo(() => fieldsOf(schema.traits), [schema]);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    const data = new FormData(e.currentTarget);
    const traits = traitsFrom(fields, (n) => {
      const v = data.get(n);
      return typeof v === "string" ? v : null;
    });
    const password = String(data.get("__password") ?? "");
    const role = String(data.get("__role") ?? "");
    setBusy(true);
    const r = await callApi<{ id: string }>("POST", "/api/identities", {
      schema_id: schema.id,
      traits,
      state: data.get("__state") === "inactive" ? "inactive" : "active",
      verified: data.get("__verified") === "on",
      ...(password ? { password } : {}),
      ...(withRole && role ? { role } : {}),
    });
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    router.push(`/identities/${r.data.id}?created=1`);
  };

  return (
    <form className="form card" onSubmit={submit} aria-describedby={error ? "create-error" : undefined}>
      <div className="field">
        <label htmlFor="schema-choice">Schema</label>
        <select id="schema-choice" value={schema.id} onChange={(e) => setSchemaId(e.target.value)}>
          {schemas.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id} — {s.title}
            </option>
          ))}
        </select>
      </div>
      <fieldset key={schema.id}>
        <legend>Traits</legend>
        <SchemaFields fields={fields} idPrefix="trait" />
      </fieldset>
      <fieldset>
        <legend>Account</legend>
        <div className="field">
          <label htmlFor="__state">State</label>
          <select id="__state" name="__state" defaultValue="active">
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="__password">
            Initial password <span className="hint">(optional, at least {passwordMin} characters)</span>
          </label>
          <input
            id="__password"
            name="__password"
            type="password"
            minLength={passwordMin}
            autoComplete="new-password"
          />
        </div>
        {withRole && (
          <div className="field">
            <label htmlFor="__role">
              Athena role <span className="hint">(kept in admin metadata: its owner cannot change it)</span>
            </label>
            <select id="__role" name="__role" defaultValue="">
              <option value="">none</option>
              <option value="viewer">viewer</option>
              <option value="admin">admin</option>
            </select>
          </div>
        )}
        <label className="check-label" htmlFor="__verified">
          <input id="__verified" name="__verified" type="checkbox" /> Mark the email address as verified
        </label>
      </fieldset>
      {error && (
        <div id="create-error" className="notice error" role="alert">
          {error}
        </div>
      )}
      <div className="row">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Creating…" : "Create identity"}
        </button>
      </div>
    </form>
  );
}
