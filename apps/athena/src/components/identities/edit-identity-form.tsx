"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { fieldsOf, traitsFrom } from "@/lib/schema-form";
import { callApi } from "../api-client";
import { SchemaFields } from "../schema-fields";

/** Parses a metadata textarea: empty is null, otherwise a JSON object. */
export function parseMetadata(
  text: string,
): { ok: true; value: Record<string, unknown> | null } | { ok: false; message: string } {
  const t = text.trim();
  if (!t) return { ok: true, value: null };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (e) {
    return { ok: false, message: `Not valid JSON: ${(e as Error).message}` };
  }
  if (v === null) return { ok: true, value: null };
  if (typeof v !== "object" || Array.isArray(v))
    return { ok: false, message: 'Must be a JSON object, like {"plan": "pro"}.' };
  return { ok: true, value: v as Record<string, unknown> };
}

const pretty = (v: unknown) => (v === null || v === undefined ? "" : JSON.stringify(v, null, 2));

/**
 * The identity edit form (PUT /api/identities/{id}): traits through the form built from the
 * identity's schema, metadata as JSON, state and verified flags. The core validates; its errors
 * are shown on the fields they name.
 */
export function EditIdentityForm({
  id,
  traitsSchema,
  traits,
  metadataPublic,
  metadataAdmin,
  state,
  addresses,
  updatedAt,
  iam,
}: {
  id: string;
  traitsSchema: Record<string, unknown>;
  traits: Record<string, unknown>;
  metadataPublic: unknown;
  /** Without the Athena role keys, which the role editor changes. */
  metadataAdmin: unknown;
  state: "active" | "inactive";
  addresses: { value: string; verified: boolean }[];
  updatedAt?: string;
  iam: boolean;
}) {
  const router = useRouter();
  const fields = useMemo(() => fieldsOf(traitsSchema), [traitsSchema]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setNote(null);
    const data = new FormData(e.currentTarget);
    const text = (n: string) => {
      const v = data.get(n);
      return typeof v === "string" ? v : null;
    };
    const local: Record<string, string> = {};
    const mp = parseMetadata(text("__metadata_public") ?? "");
    const ma = parseMetadata(text("__metadata_admin") ?? "");
    if (!mp.ok) local.__metadata_public = mp.message;
    if (!ma.ok) local.__metadata_admin = ma.message;
    setErrors(local);
    if (!mp.ok || !ma.ok) {
      setNote({ ok: false, text: "Fix the fields marked below." });
      return;
    }
    const verified: Record<string, boolean> = {};
    for (const a of addresses) verified[a.value] = data.get(`__verified:${a.value}`) === "on";
    setBusy(true);
    const r = await callApi<{ id: string }>("PUT", `/api/identities/${id}`, {
      ...(updatedAt ? { updated_at: updatedAt } : {}),
      traits: traitsFrom(fields, text),
      metadata_public: mp.value,
      metadata_admin: ma.value,
      state: text("__state") === "inactive" ? "inactive" : "active",
      verified,
    });
    setBusy(false);
    if (!r.ok) {
      setErrors(r.fields ?? {});
      setNote({ ok: false, text: r.message });
      return;
    }
    setNote({ ok: true, text: "Changes saved." });
    router.refresh();
  };

  const fieldError = (name: string) =>
    errors[name] ? (
      <span id={`${name}-error`} className="field-error" role="alert">
        {errors[name]}
      </span>
    ) : null;
  const invalid = (name: string) =>
    errors[name] ? { "aria-invalid": true, "aria-describedby": `${name}-error` } : {};

  return (
    <form className="form stack" onSubmit={submit} aria-label="Edit identity" noValidate={false}>
      <fieldset>
        <legend>Traits</legend>
        <SchemaFields fields={fields} idPrefix="edit" values={traits} errors={errors} />
      </fieldset>
      <fieldset>
        <legend>Account</legend>
        <div className="field">
          <label htmlFor="__state">State</label>
          <select id="__state" name="__state" defaultValue={state}>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </div>
        {addresses.length > 0 && (
          <div className="field">
            <span className="label">Verified addresses</span>
            {addresses.map((a) => (
              <label key={a.value} className="check-label" htmlFor={`__verified:${a.value}`}>
                <input
                  id={`__verified:${a.value}`}
                  name={`__verified:${a.value}`}
                  type="checkbox"
                  defaultChecked={a.verified}
                />{" "}
                {a.value} verified
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <div className="grid-2">
        <div className="field">
          <label htmlFor="__metadata_public">
            Public metadata <span className="hint">(JSON object; its owner can read it)</span>
          </label>
          <textarea
            id="__metadata_public"
            name="__metadata_public"
            rows={6}
            className="mono"
            defaultValue={pretty(metadataPublic)}
            {...invalid("__metadata_public")}
          />
          {fieldError("__metadata_public")}
        </div>
        <div className="field">
          <label htmlFor="__metadata_admin">
            Admin metadata{" "}
            <span className="hint">
              (JSON object; administrators only
              {iam ? ". The Athena role is changed with its own control" : ""})
            </span>
          </label>
          <textarea
            id="__metadata_admin"
            name="__metadata_admin"
            rows={6}
            className="mono"
            defaultValue={pretty(metadataAdmin)}
            {...invalid("__metadata_admin")}
          />
          {fieldError("__metadata_admin")}
        </div>
      </div>
      {note && (
        <div className={`notice ${note.ok ? "ok" : "error"}`} role={note.ok ? "status" : "alert"}>
          {note.text}
        </div>
      )}
      <div className="row">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Saving…" : "Save changes"}
        </button>
      </div>
    </form>
  );
}
