"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { callApi } from "../api-client";

/** What a typed value means: JSON when it parses (true, 5, {"a":1}), otherwise the text itself. */
export function parseVaultValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sets one settings-vault value (admins only). Secret values are sent once and never shown again. */
export function VaultForm({ suggestions }: { suggestions: string[] }) {
  const router = useRouter();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  const [secret, setSecret] = useState(false);
  const [category, setCategory] = useState("");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setNote(null);
    const r = await callApi("PUT", "/api/settings/vault", {
      key: key.trim(),
      value: parseVaultValue(value),
      secret,
      ...(category.trim() ? { category: category.trim() } : {}),
    });
    setBusy(false);
    if (!r.ok) {
      setNote({ ok: false, text: r.message });
      return;
    }
    setNote({ ok: true, text: `Saved ${key.trim()}.` });
    setValue("");
    router.refresh();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="vault-set-h">
      <h3 id="vault-set-h">Set a value</h3>
      <div className="toolbar" style={{ padding: 0 }}>
        <div className="field">
          <label htmlFor="vault-key">Key</label>
          <input
            id="vault-key"
            name="key"
            required
            list="vault-keys"
            pattern="[a-z0-9][a-z0-9_.\-]{0,127}"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="captcha.enabled"
          />
          <datalist id="vault-keys">
            {suggestions.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
        </div>
        <div className="field grow">
          <label htmlFor="vault-value">Value</label>
          <input
            id="vault-value"
            name="value"
            required
            type={secret ? "password" : "text"}
            autoComplete="off"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder='true, 5, "text" or {"json": 1}'
          />
        </div>
        <div className="field">
          <label htmlFor="vault-category">Category</label>
          <input
            id="vault-category"
            name="category"
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            placeholder="general"
          />
        </div>
        <label className="check-label" htmlFor="vault-secret">
          <input
            id="vault-secret"
            type="checkbox"
            checked={secret}
            onChange={(e) => setSecret(e.target.checked)}
          />{" "}
          Secret (encrypted, never shown again)
        </label>
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
      </div>
      {note && (
        <p className={`small ${note.ok ? "" : "notice error"}`} role={note.ok ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </form>
  );
}
