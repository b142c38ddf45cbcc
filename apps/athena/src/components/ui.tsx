import type { ReactNode } from "react";
import type { CoreFailure } from "@/lib/core/errors";

/** A page's title row with optional actions. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {description && <p>{description}</p>}
      </div>
      {actions && <div className="row">{actions}</div>}
    </div>
  );
}

/** What a page shows when the identity core failed it. */
export function ErrorState({ error, what }: { error: CoreFailure; what: string }) {
  return (
    <div className="notice error" role="alert">
      <strong>Could not load {what}.</strong>{" "}
      {error.missing
        ? "The identity core does not serve this API yet (it answered " + error.status + ")."
        : error.message}
    </div>
  );
}

/** An empty list, said plainly, with what to do next. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

/** A rows-of-grey placeholder while a page streams in. */
export function LoadingRows({ rows = 6, label = "Loading" }: { rows?: number; label?: string }) {
  return (
    <div className="card stack" aria-busy="true" aria-live="polite">
      <span className="muted small">{label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
        <div key={i} className="skeleton" style={{ width: `${90 - ((i * 13) % 40)}%` }} />
      ))}
    </div>
  );
}

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge ${state === "active" ? "ok" : "warn"}`}>{state}</span>;
}

/** A timestamp as UTC text, stable between server and client. */
export function formatTime(iso: string | Date | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
