"use client";
import { useState } from "react";

interface Result {
  row: number;
  status: "created" | "failed";
  id?: string;
  identifier?: string;
  reason?: string;
}

/**
 * Uploads an import file to /api/identities/import and shows the report, row by row. Without
 * JavaScript the form posts there itself and the browser shows the same report as JSON.
 */
export function IdentityImport({ schemas }: { schemas: string[] }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<{ created: number; failed: number; results: Result[] } | null>(null);
  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setReport(null);
    try {
      const res = await fetch("/api/identities/import", {
        method: "POST",
        body: new FormData(e.currentTarget),
      });
      const body = (await res.json().catch(() => ({}))) as {
        created?: number;
        failed?: number;
        results?: Result[];
        error?: { message?: string };
      };
      if (!res.ok || !body.results)
        setError(body.error?.message ?? `The import failed (HTTP ${res.status}).`);
      else setReport({ created: body.created ?? 0, failed: body.failed ?? 0, results: body.results });
    } catch {
      setError("Athena could not be reached.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="stack">
      <form
        className="card stack"
        method="post"
        action="/api/identities/import"
        encType="multipart/form-data"
        onSubmit={submit}
      >
        <div className="field">
          <label htmlFor="import-file">File (JSON in Kratos' import shape, or CSV with a header row)</label>
          <input
            id="import-file"
            name="file"
            type="file"
            accept=".json,.csv,application/json,text/csv"
            required
          />
        </div>
        <div className="field">
          <label htmlFor="import-schema">Schema for CSV rows without a schema_id column</label>
          <select
            id="import-schema"
            name="schema"
            defaultValue={schemas.includes("default") ? "default" : schemas[0]}
          >
            {schemas.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <p className="small muted">
          Each identity is created whole or not at all; rows that are refused are listed with the reason.
          Existing identities are never changed.
        </p>
        <div>
          <button type="submit" className="btn primary" disabled={busy}>
            {busy ? "Importing…" : "Import"}
          </button>
        </div>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {report && (
        <section className="stack" aria-label="Import report">
          <p role="status" data-testid="import-summary">
            {report.created} imported, {report.failed} refused
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Result</th>
                <th scope="col">Identifier</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {report.results.map((r) => (
                <tr key={r.row} data-status={r.status}>
                  <td>{r.row}</td>
                  <td>
                    {r.status === "created" && r.id ? <a href={`/identities/${r.id}`}>created</a> : r.status}
                  </td>
                  <td>{r.identifier ?? "—"}</td>
                  <td>{r.reason ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
