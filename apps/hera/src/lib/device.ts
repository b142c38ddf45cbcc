// The parser is shared with Athena's Sessions page (ua-parser-js 1.x, pinned in @olympus/web).
export { describeUserAgent } from "@olympus/web/device";

/** The sign-in methods of a session (Kratos `authentication_methods`), each once, in order. */
export function sessionMethods(
  methods: { method?: string; provider?: string }[] | undefined,
): { method: string; provider?: string }[] {
  const seen = new Set<string>();
  const out: { method: string; provider?: string }[] = [];
  for (const m of methods ?? []) {
    if (!m.method) continue;
    const key = `${m.method}:${m.provider ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(m.provider ? { method: m.method, provider: m.provider } : { method: m.method });
  }
  return out;
}
