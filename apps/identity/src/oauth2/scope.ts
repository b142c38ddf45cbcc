/** Splits a space-separated scope (or audience) string into its distinct values, in order. */
export function splitList(value: string | undefined | null): string[] {
  if (!value) return [];
  return [...new Set(value.split(" ").filter((s) => s !== ""))];
}

/**
 * Hydra's wildcard scope strategy: `foo.*` allows `foo.bar` and `foo.bar.baz`, anything else must be
 * equal. The exact strategy only allows equal values.
 */
export function scopeAllowed(strategy: "wildcard" | "exact", allowed: string[], needle: string): boolean {
  if (allowed.includes(needle)) return true;
  if (strategy === "exact") return false;
  const needleParts = needle.split(".");
  return allowed.some((matcher) => {
    const parts = matcher.split(".");
    if (parts.length > needleParts.length) return false;
    return parts.every((part, i) => {
      const last = i === parts.length - 1;
      if (part === "*") return needleParts[i]!.length > 0;
      if (last && parts.length !== needleParts.length) return false;
      return part === needleParts[i];
    });
  });
}

/** RFC 6749 §3.3 scope-token characters: printable ASCII except space, `"` and `\`. */
export function isScopeToken(value: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(value);
}

/** Whether every value of `needles` is in `granted` (exactly). */
export function coversAll(granted: string[], needles: string[]): boolean {
  return needles.every((n) => granted.includes(n));
}
