"use client";
import { useId, useState } from "react";

/** A read-only value with a Copy button (multi-line values in a textarea). */
export function CopyField({
  label,
  value,
  multiline = false,
  testId,
}: {
  label: string;
  value: string;
  multiline?: boolean;
  testId?: string;
}) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="copy">
        {multiline ? (
          <textarea
            id={id}
            readOnly
            value={value}
            rows={Math.min(8, value.split("\n").length + 1)}
            data-testid={testId}
          />
        ) : (
          <input
            id={id}
            type="text"
            readOnly
            value={value}
            data-testid={testId}
            onFocus={(e) => e.currentTarget.select()}
          />
        )}
        <button type="button" className="btn" onClick={copy} aria-label={`Copy ${label}`}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <span className="sr-only" aria-live="polite">
        {copied ? `${label} copied` : ""}
      </span>
    </div>
  );
}
