import { type AuditEvent, audit } from "../../audit/audit.ts";
import { type CaptchaFlow, verifyCaptcha } from "../../security/captcha.ts";
import { type Attempt, beginAttempt } from "../../security/lockout.ts";
import type { UiText } from "../flow/text.ts";
import type { Body, StrategyEnv } from "../strategy/types.ts";

/*
 * Guards a strategy runs before it checks a credential, and the audit trail it leaves. They take the
 * strategy's environment (core + request record), so strategies never see hono's Context.
 */

/** The captcha of a submission: the message to show when it does not pass, undefined otherwise. */
export function captchaGuard(env: StrategyEnv, flow: CaptchaFlow, body: Body): Promise<UiText | undefined> {
  return verifyCaptcha(env.ctx, env.req.hono, flow, body);
}

/**
 * Brute-force protection: counts an attempt for an identifier (kind `identifier`) or a second factor
 * (kind `aal2`, keyed by identity id) and for the client address. When `locked` is set, refuse without
 * checking the credential; otherwise report the result with `failed()` or `succeeded()`.
 */
export function bruteForceGuard(
  env: StrategyEnv,
  kind: "identifier" | "aal2",
  key: string,
): Promise<Attempt> {
  return beginAttempt(env.ctx, env.req.hono, kind, key);
}

/** Appends an audit event for this request (address and user agent recorded). */
export function auditEvent(env: StrategyEnv, e: AuditEvent): Promise<void> {
  return audit(env.ctx, env.req.hono, e);
}
