import type { ExplainedError } from "../../lib/oauth/errors";
import { Json } from "./Json";

export function ErrorPanel({ error }: { error: ExplainedError }) {
  return (
    <div className="alert" role="alert" data-error-code={error.code}>
      <h3>{error.title}</h3>
      <p>{error.explanation}</p>
      <p>
        <strong>What to do:</strong> {error.hint}
      </p>
      <p className="small muted">
        Error code: <code>{error.code}</code>
      </p>
      {error.raw !== undefined && (
        <details>
          <summary>Raw error</summary>
          <Json value={error.raw} label="Raw error" />
        </details>
      )}
    </div>
  );
}
