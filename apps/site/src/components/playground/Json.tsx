/** Pretty-printed JSON (or raw text) in a code block that wraps rather than scrolls (nothing to reach by keyboard). */
export function Json({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="wrap" title={label}>
      <code>{text}</code>
    </pre>
  );
}
