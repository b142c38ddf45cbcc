import { createHash } from "node:crypto";
import type { AppContext } from "../../app/context.ts";
import { type FlowRow, updateFlow } from "../flow/repository.ts";
import { text, type UiText } from "../flow/text.ts";
import { passwordStrength, SCORED_LENGTH } from "./strength.ts";
import { effectiveBreachedMode } from "../../security/overrides.ts";

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function longestCommonSubstring(a: string, b: string): number {
  let best = 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      if (a[i - 1] === b[j - 1]) {
        cur[j] = prev[j - 1]! + 1;
        if (cur[j]! > best) best = cur[j]!;
      }
    }
    prev = cur;
  }
  return best;
}

/** Kratos's similarity rule: too close by edit distance, or sharing more than half the password. */
export function tooSimilar(identifier: string, password: string): boolean {
  if (password.length > 256) return false;
  const id = identifier.toLowerCase();
  const pw = password.toLowerCase();
  if (!id) return false;
  return levenshtein(id, pw) < 5 || longestCommonSubstring(id, pw) / pw.length > 0.5;
}

/** Breach counts by SHA-1 prefix, cached for an hour. */
const rangeCache = new Map<string, { at: number; body: string }>();

async function breachCount(ctx: AppContext, password: string): Promise<number | "error"> {
  const cfg = ctx.config.selfservice.methods.password.config;
  const sha = createHash("sha1").update(password).digest("hex").toUpperCase();
  const prefix = sha.slice(0, 5);
  const suffix = sha.slice(5);
  const cached = rangeCache.get(prefix);
  let body: string;
  if (cached && Date.now() - cached.at < 3_600_000) {
    body = cached.body;
  } else {
    const base = cfg.haveibeenpwned_url ?? `https://${cfg.haveibeenpwned_host}`;
    try {
      const res = await fetch(`${base.replace(/\/$/, "")}/range/${prefix}`, {
        signal: AbortSignal.timeout(1000),
        headers: { "Add-Padding": "true" },
      });
      if (!res.ok) return "error";
      body = await res.text();
    } catch {
      return "error";
    }
    rangeCache.set(prefix, { at: Date.now(), body });
    if (rangeCache.size > 10_000) rangeCache.delete(rangeCache.keys().next().value!);
  }
  for (const line of body.split("\n")) {
    const [hashSuffix, count] = line.trim().split(":");
    if (hashSuffix?.toUpperCase() === suffix) return Number(count) || 0;
  }
  return 0;
}

/** Breached passwords: `block` refuses them, `warn` warns once per flow and accepts the same password again. */
export function breachedMode(ctx: AppContext): "block" | "warn" {
  return effectiveBreachedMode(ctx) ?? ctx.config.selfservice.methods.password.config.haveibeenpwned_mode;
}

/** The warning of `warn` mode (an Olympus id; Kratos only has the blocking 4000034). */
export function breachedWarning(breaches: number): UiText {
  const reason = `The password has been found in ${breaches} data breach${breaches === 1 ? "" : "es"}. Submit it again to use it anyway, or choose a different password.`;
  return { id: 4000101, text: reason, type: "info", context: { breaches } };
}

/**
 * `warn` mode: the first submission of a breached password answers with the warning and remembers the
 * password (as a hash, in the flow's data); submitting the same password again in that flow proceeds.
 */
async function acknowledgeBreach(
  ctx: AppContext,
  flow: Pick<FlowRow, "id" | "data">,
  password: string,
  breaches: number,
): Promise<UiText | undefined> {
  const seen = flow.data.breached_password_ack;
  if (typeof seen === "string" && (await ctx.hasher.verify(password, seen).catch(() => false))) {
    return undefined;
  }
  const data = { ...flow.data, breached_password_ack: await ctx.hasher.hash(password) };
  await updateFlow(ctx.db, flow.id, { data });
  flow.data = data;
  return breachedWarning(breaches);
}

/** Kratos' policy message (4000005) for a password the offline estimator finds too easy to guess. */
export function tooGuessable(warning: string | undefined): UiText {
  const hint = warning ? `: ${warning.replace(/\.$/, "")}` : "";
  return text.validationPasswordPolicy(`it is too easy to guess${hint}`);
}

/** The rules a new password must meet, as Hera and Athena show them (GET /admin/olympus/password-policy). */
export function passwordRules(ctx: AppContext) {
  const cfg = ctx.config.selfservice.methods.password.config;
  return {
    min_length: cfg.min_password_length,
    max_length: ctx.config.hashers.algorithm === "bcrypt" ? 72 : 4096,
    min_score: cfg.min_password_score,
    scored_length: SCORED_LENGTH,
    identifier_similarity_check: cfg.identifier_similarity_check_enabled,
    breached_check: cfg.haveibeenpwned_enabled,
  };
}

/**
 * Checks a new password against the domain's policy; returns the message to show, or undefined when
 * acceptable. `flow` is the flow the password was submitted in (needed for the breached `warn` mode).
 */
export async function checkPassword(
  ctx: AppContext,
  password: string,
  identifiers: string[],
  flow?: Pick<FlowRow, "id" | "data">,
): Promise<UiText | undefined> {
  const cfg = ctx.config.selfservice.methods.password.config;
  const length = [...password].length;
  if (length < cfg.min_password_length) return text.passwordTooShort(cfg.min_password_length, length);
  if (ctx.config.hashers.algorithm === "bcrypt" && Buffer.byteLength(password) > 72) {
    return text.passwordTooLong(72, Buffer.byteLength(password));
  }
  if (length > 4096) return text.passwordTooLong(4096, length);
  if (cfg.identifier_similarity_check_enabled && identifiers.some((id) => tooSimilar(id, password))) {
    return text.passwordTooSimilar();
  }
  if (cfg.min_password_score > 0) {
    const strength = await passwordStrength(password, identifiers);
    if (strength.score < cfg.min_password_score) return tooGuessable(strength.warning);
  }
  if (cfg.haveibeenpwned_enabled) {
    const count = await breachCount(ctx, password);
    if (count === "error") {
      if (!cfg.ignore_network_errors) {
        return text.validationPasswordPolicy(
          "the password breach check is unavailable, please try again later",
        );
      }
      ctx.log.warn("haveibeenpwned check failed; accepting the password (ignore_network_errors)");
    } else if (count > cfg.max_breaches) {
      if (breachedMode(ctx) === "warn" && flow) return acknowledgeBreach(ctx, flow, password, count);
      return text.passwordBreached(count);
    }
  }
  return undefined;
}
