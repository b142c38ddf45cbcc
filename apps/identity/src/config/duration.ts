import { z } from "zod";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses Go-style durations ("1h", "10m", "1h30m", "500ms") into milliseconds; undefined when malformed. */
export function parseDuration(input: string): number | undefined {
  const s = input.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return total;
}

/** A zod type accepting "1h"-style strings (or a number of milliseconds) and yielding milliseconds. */
export const duration = (fallback: string) =>
  z
    .union([z.string(), z.number().int().nonnegative()])
    .default(fallback)
    .transform((v, ctx) => {
      if (typeof v === "number") return v;
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: `expected a duration such as "10m" or "1h", got "${v}"` });
        return z.NEVER;
      }
      return ms;
    });
