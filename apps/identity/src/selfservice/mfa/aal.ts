import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import { OryError } from "../../errors/index.ts";
import { isJsonRequest } from "../../http/request.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import type { SessionRow } from "../../session/session.ts";
import { codeMfaEnabled, secondFactorAddresses } from "../code/credential.ts";
import { hasSecondFactor } from "./credentials.ts";

/*
 * Authenticator assurance levels, as Kratos enforces them: with `highest_available`, an identity that
 * has a second factor must present an aal2 session to whoami (session.whoami.required_aal) and to the
 * settings flow (selfservice.flows.settings.required_aal).
 */

type Required = "aal1" | "highest_available";

export function satisfiesAal(
  required: Required,
  row: SessionRow,
  identity: FullIdentity,
  ctx?: AppContext,
): boolean {
  if (required === "aal1" || row.aal === "aal2" || row.aal === "aal3") return true;
  if (hasSecondFactor(identity)) return false;
  // With `selfservice.methods.code.mfa_enabled`, a verified code address is a second factor too (Kratos),
  // unless the session was opened with a code already: a second code to the same address proves nothing.
  const codeFactor =
    ctx !== undefined &&
    codeMfaEnabled(ctx) &&
    secondFactorAddresses(identity).length > 0 &&
    !row.authenticationMethods.some((m) => m.method === "code");
  return !codeFactor;
}

/** The login URL that upgrades the session to aal2 (carrying return_to and login_challenge when given). */
export function aal2LoginUrl(ctx: AppContext, params: { returnTo?: string; loginChallenge?: string } = {}) {
  const q = new URLSearchParams({ aal: "aal2" });
  if (params.returnTo) q.set("return_to", params.returnTo);
  if (params.loginChallenge) q.set("login_challenge", params.loginChallenge);
  return urlJoin(ctx.rt.publicBaseUrl, `self-service/login/browser?${q}`);
}

export function aal2Required(redirectTo: string): OryError {
  return new OryError(403, "Session does not fulfill the requested Authenticator Assurance Level", {
    id: "session_aal2_required",
    reason:
      "An active session was found but it does not fulfill the requested Authenticator Assurance Level. Please verify yourself using the second factor to continue.",
    extra: { redirect_browser_to: redirectTo },
  });
}

/** whoami: throws 403 session_aal2_required when the session is below what the domain requires. */
export function enforceWhoamiAal(
  ctx: AppContext,
  c: Context,
  s: { row: SessionRow; identity: FullIdentity },
): void {
  if (satisfiesAal(ctx.config.session.whoami.required_aal, s.row, s.identity, ctx)) return;
  const returnTo = c.req.query("return_to");
  throw aal2Required(aal2LoginUrl(ctx, returnTo ? { returnTo } : {}));
}

/**
 * Settings: undefined when the session may use settings; otherwise the answer — a 303 to the aal2 login
 * for browsers posting forms, 403 session_aal2_required for everyone else.
 */
export function settingsAalResponse(
  ctx: AppContext,
  c: Context,
  s: { row: SessionRow; identity: FullIdentity },
  type: "browser" | "api",
  returnTo: string,
): Response | undefined {
  if (satisfiesAal(ctx.config.selfservice.flows.settings.required_aal, s.row, s.identity, ctx)) {
    return undefined;
  }
  const url = aal2LoginUrl(ctx, { returnTo });
  if (type === "browser" && !isJsonRequest(c)) return c.redirect(url, 303);
  const err = aal2Required(url);
  return c.json(err.toBody(), 403);
}
