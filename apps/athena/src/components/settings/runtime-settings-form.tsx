"use client";
import type { OlympusRuntimeSetting } from "@olympus/sdk";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { callApi } from "../api-client";

type Note = { ok: boolean; text: string };

/** A value as the form holds it: checkbox state, or the text of the input/select. */
function initial(s: OlympusRuntimeSetting): string | boolean {
  if (s.schema.type === "boolean") return s.value === true;
  if (s.schema.type === "string" && s.schema.secret) return "";
  return s.value === null || s.value === undefined ? "" : String(s.value);
}

function shown(s: OlympusRuntimeSetting, v: unknown): string {
  if (v === null || v === undefined || v === "") return "not set";
  if (s.schema.type === "integer" && s.schema.unit) return `${String(v)} ${s.schema.unit}`;
  return String(v);
}

function rangeOf(s: OlympusRuntimeSetting): string {
  const t = s.schema;
  switch (t.type) {
    case "boolean":
      return "on or off";
    case "integer":
      return `integer, ${t.minimum}–${t.maximum}${t.unit ? ` ${t.unit}` : ""}`;
    case "enum":
      return `one of ${t.options.join(", ")}`;
    case "string":
      return `text, ${t.min_length}–${t.max_length} characters${t.secret ? ", secret" : ""}`;
  }
}

/** One run-time setting: its typed input, explanation, default and range; save or reset (admins). */
function SettingRow({ s, writer }: { s: OlympusRuntimeSetting; writer: boolean }) {
  const router = useRouter();
  const [value, setValue] = useState<string | boolean>(initial(s));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<Note | null>(null);
  const id = `rs-${s.key.replace(/[^a-z0-9]/g, "-")}`;
  const t = s.schema;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setNote(null);
    // Numbers go as typed text when they are not plain integers, so the core explains the refusal.
    const payload =
      t.type === "integer" && typeof value === "string" && /^-?\d{1,15}$/.test(value.trim())
        ? Number(value.trim())
        : value;
    const r = await callApi("PUT", `/api/settings/runtime/${encodeURIComponent(s.key)}`, { value: payload });
    setBusy(false);
    if (!r.ok) {
      setNote({ ok: false, text: r.message });
      return;
    }
    setNote({ ok: true, text: `Saved ${s.key}.` });
    if (t.type === "string" && t.secret) setValue("");
    router.refresh();
  };
  const reset = async () => {
    setBusy(true);
    setNote(null);
    const r = await callApi("DELETE", `/api/settings/runtime/${encodeURIComponent(s.key)}`);
    setBusy(false);
    if (!r.ok) {
      setNote({ ok: false, text: r.message });
      return;
    }
    setNote({ ok: true, text: `${s.key} follows the configuration file again.` });
    router.refresh();
  };

  const input =
    t.type === "boolean" ? (
      <label className="check-label" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={value === true}
          disabled={!writer}
          onChange={(e) => setValue(e.target.checked)}
        />{" "}
        Enabled
      </label>
    ) : t.type === "enum" ? (
      <select id={id} value={String(value)} disabled={!writer} onChange={(e) => setValue(e.target.value)}>
        {value === "" && <option value="">(not set)</option>}
        {t.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    ) : (
      <input
        id={id}
        type={t.type === "integer" ? "number" : t.secret ? "password" : "text"}
        inputMode={t.type === "integer" ? "numeric" : undefined}
        autoComplete="off"
        value={String(value)}
        disabled={!writer}
        placeholder={t.type === "string" && t.secret && s.value ? "set (enter a new one to replace it)" : ""}
        onChange={(e) => setValue(e.target.value)}
      />
    );

  return (
    <form
      className="card stack"
      onSubmit={save}
      noValidate
      data-testid="runtime-setting"
      data-key={s.key}
      aria-labelledby={`${id}-h`}
    >
      <div className="toolbar" style={{ padding: 0, justifyContent: "space-between" }}>
        <h3 id={`${id}-h`} className="mono" style={{ fontSize: "0.95rem", margin: 0 }}>
          <label htmlFor={id}>{s.key}</label>
        </h3>
        {s.overridden ? <span className="badge">set at run time</span> : <span className="badge">file</span>}
      </div>
      <p className="small muted" style={{ margin: 0 }}>
        {s.description}
      </p>
      <dl className="props small">
        <dt>Type</dt>
        <dd>{rangeOf(s)}</dd>
        <dt>Default (configuration file)</dt>
        <dd data-testid="runtime-default">{shown(s, s.default)}</dd>
        <dt>In effect</dt>
        <dd data-testid="runtime-value">{shown(s, s.value)}</dd>
      </dl>
      <div className="toolbar" style={{ padding: 0 }}>
        <div className="field grow">{input}</div>
        {writer && (
          <>
            <button type="submit" className="btn primary" disabled={busy}>
              {busy ? "Saving…" : "Save"}
            </button>
            {s.overridden && (
              <button type="button" className="btn" disabled={busy} onClick={reset}>
                Reset to default
              </button>
            )}
          </>
        )}
      </div>
      {note && (
        <p className={`small ${note.ok ? "" : "notice error"}`} role={note.ok ? "status" : "alert"}>
          {note.text}
        </p>
      )}
    </form>
  );
}

/** The core's run-time settings as a typed form; viewers see the same values, read-only. */
export function RuntimeSettingsForm({
  settings,
  writer,
}: {
  settings: OlympusRuntimeSetting[];
  writer: boolean;
}) {
  return (
    <div className="stack">
      {settings.map((s) => (
        <SettingRow key={`${s.key}:${String(s.value)}:${s.overridden}`} s={s} writer={writer} />
      ))}
    </div>
  );
}
