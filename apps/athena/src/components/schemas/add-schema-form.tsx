"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { callApi } from "../api-client";

/**
 * Adds a version of an identity schema: a new id and the JSON Schema, started from an existing
 * schema. The core checks it and its refusal (with JSON pointers) is shown as it answers.
 */
export function AddSchemaForm({ sources }: { sources: { id: string; schema: Record<string, unknown> }[] }) {
  const router = useRouter();
  const first = sources[0];
  const [from, setFrom] = useState(first?.id ?? "");
  const [id, setId] = useState(first ? `${first.id}-v2` : "");
  const [text, setText] = useState(first ? JSON.stringify(first.schema, null, 2) : "{}");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ ok: boolean; text: string } | null>(null);

  const start = (sourceId: string) => {
    setFrom(sourceId);
    const s = sources.find((x) => x.id === sourceId);
    if (s) {
      setText(JSON.stringify(s.schema, null, 2));
      setId(`${s.id}-v2`);
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setNote(null);
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (err) {
      setNote({ ok: false, text: `The schema is not JSON: ${(err as Error).message}` });
      return;
    }
    if (!schema || typeof schema !== "object" || Array.isArray(schema)) {
      setNote({ ok: false, text: "The schema must be a JSON object." });
      return;
    }
    setBusy(true);
    const r = await callApi("POST", "/api/schemas", { id: id.trim(), schema });
    setBusy(false);
    if (!r.ok) {
      setNote({ ok: false, text: r.message });
      return;
    }
    setNote({ ok: true, text: `Added ${id.trim()}.` });
    router.refresh();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="add-schema-h">
      <h2 id="add-schema-h">Add a version</h2>
      <p className="small muted">
        A schema never changes once identities may use it: a new version gets a new id, and identities keep
        the schema they have. The core checks the JSON Schema and its <code>ory.sh/kratos</code> extensions
        before accepting it.
      </p>
      <div className="toolbar" style={{ padding: 0 }}>
        <div className="field">
          <label htmlFor="schema-from">Start from</label>
          <select id="schema-from" value={from} onChange={(e) => start(e.target.value)}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.id}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="schema-id">New id</label>
          <input
            id="schema-id"
            required
            pattern="[a-z0-9][a-z0-9_.\-]{0,63}"
            value={id}
            onChange={(e) => setId(e.target.value)}
          />
        </div>
      </div>
      <div className="field">
        <label htmlFor="schema-json">JSON Schema</label>
        <textarea
          id="schema-json"
          className="mono"
          rows={18}
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <div className="row">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Checking…" : "Add schema"}
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
