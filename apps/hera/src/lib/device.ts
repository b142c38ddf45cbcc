// Pinned to 1.0.41: the 1.x line is MIT licensed (2.x changed to AGPL-3.0).
import { UAParser } from "ua-parser-js";

/** A session's device as a person recognises it: "Chrome 156 on Linux", or undefined when unknown. */
export function describeUserAgent(userAgent: string | undefined | null): string | undefined {
  if (!userAgent) return undefined;
  // Hostile input: the header is whatever the client sent. Bounded before parsing.
  const ua = new UAParser(userAgent.slice(0, 512)).getResult();
  const browser = [ua.browser.name, ua.browser.major].filter(Boolean).join(" ");
  const os = [ua.os.name, ua.os.version?.split(".")[0]].filter(Boolean).join(" ");
  const device = ua.device.vendor && ua.device.model ? `${ua.device.vendor} ${ua.device.model}` : "";
  const where = [device, os].filter(Boolean).join(", ");
  if (!browser && !where) return undefined;
  if (!browser) return where;
  return where ? `${browser} · ${where}` : browser;
}

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
