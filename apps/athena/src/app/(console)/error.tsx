"use client";

/** Anything a page did not handle itself. */
export default function ConsoleError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="notice error stack" role="alert">
      <strong>This page failed to load.</strong>
      <span className="small">
        {error.digest ? `Reference ${error.digest}. ` : ""}The details are in Athena's server log.
      </span>
      <div>
        <button type="button" className="btn" onClick={reset}>
          Try again
        </button>
      </div>
    </div>
  );
}
