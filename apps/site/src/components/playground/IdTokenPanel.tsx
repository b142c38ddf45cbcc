import type { IdTokenReport } from "../../lib/oauth/id-token";
import { Json } from "./Json";

const TIME_CLAIMS = ["exp", "iat", "auth_time", "nbf", "rat"];

function withDates(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims)) {
    out[k] =
      TIME_CLAIMS.includes(k) && typeof v === "number" ? `${v} (${new Date(v * 1000).toISOString()})` : v;
  }
  return out;
}

/** The decoded ID token and the result of each verification check. */
export function IdTokenPanel({ report, title = "ID token" }: { report: IdTokenReport; title?: string }) {
  return (
    <section aria-label={title} data-id-token-valid={String(report.valid)}>
      <h3>
        {title}:{" "}
        {report.valid ? (
          <span className="badge ok">verified</span>
        ) : (
          <span className="badge bad">not valid</span>
        )}
      </h3>
      {report.malformed && <p className="alert">{report.malformed}</p>}
      {report.checks.length > 0 && (
        <ul className="checks" aria-label="Verification checks">
          {report.checks.map((c) => (
            <li key={c.id} data-check={c.id} data-ok={c.ok === null ? "n/a" : String(c.ok)}>
              <span className={`badge ${c.ok === null ? "na" : c.ok ? "ok" : "bad"}`}>
                {c.ok === null ? "n/a" : c.ok ? "passed" : "failed"}
              </span>
              <div>
                <strong>{c.label}</strong> — {c.detail}
                {(c.expected !== undefined || c.actual !== undefined) && (
                  <dl className="kv small">
                    {c.expected !== undefined && (
                      <>
                        <dt>expected</dt>
                        <dd>{c.expected}</dd>
                      </>
                    )}
                    {c.actual !== undefined && (
                      <>
                        <dt>actual</dt>
                        <dd>{c.actual}</dd>
                      </>
                    )}
                  </dl>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {report.header && (
        <>
          <h4>Header</h4>
          <Json value={report.header} label="ID token header" />
        </>
      )}
      {report.claims && (
        <>
          <h4>Claims</h4>
          <Json value={withDates(report.claims as Record<string, unknown>)} label="ID token claims" />
        </>
      )}
    </section>
  );
}
