import type { Context } from "hono";
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import { identityCredentials, sessions } from "../../db/schema.ts";
import { OryError } from "../../errors/index.ts";
import { type FullIdentity, loadIdentity } from "../../identity/repository.ts";
import { audit } from "../../audit/audit.ts";
import { beginAttempt, type Locked, lockedMessage } from "../../security/lockout.ts";
import type { ActiveSession, SessionRow } from "../../session/session.ts";
import { str } from "../flow/common.ts";
import type { FlowRow } from "../flow/repository.ts";
import type { UiText } from "../flow/text.ts";
import { csrfNode, inputNode, type UiContainer, type UiNode } from "../flow/ui.ts";
import {
  compareAndSetCredential,
  findLookupCode,
  hasTotp,
  type LookupConfig,
  matchTotp,
  openTotpUrl,
  type TotpConfig,
  totpFromUrl,
  unusedLookupCodes,
} from "./credentials.ts";
import { mfaText } from "./text.ts";

/*
 * The second factor at login: `GET /self-service/login/browser?aal=aal2` with an aal1 session makes a
 * flow offering the identity's second factors (`totp_code` + method=totp, `lookup_secret` +
 * method=lookup_secret); a correct code upgrades that same session to aal2. Guesses are counted like
 * password failures (per identity and per address) and lock the second factor the same way.
 */

export function totpEnabled(ctx: AppContext): boolean {
  return ctx.config.selfservice.methods.totp.enabled;
}

export function lookupEnabled(ctx: AppContext): boolean {
  return ctx.config.selfservice.methods.lookup_secret.enabled;
}

/** The aal2 login form for an identity: its enabled second factors, or a message when it has none. */
export function secondFactorUi(
  ctx: AppContext,
  identity: FullIdentity,
  /** Nodes of second-factor strategies (e.g. the `code` method's "Send code to …" buttons). */
  more: UiNode[] = [],
): Omit<UiContainer, "action"> {
  const nodes = [csrfNode()];
  if (totpEnabled(ctx) && hasTotp(identity)) {
    nodes.push(
      inputNode("totp", "totp_code", "text", {
        value: "",
        required: true,
        autocomplete: "one-time-code",
        label: mfaText.loginTotpLabel(),
      }),
      inputNode("totp", "method", "submit", { value: "totp", label: mfaText.loginUseTotp() }),
    );
  }
  if (lookupEnabled(ctx) && unusedLookupCodes(identity) > 0) {
    nodes.push(
      inputNode("lookup_secret", "lookup_secret", "text", {
        value: "",
        required: true,
        label: mfaText.loginLookupLabel(),
      }),
      inputNode("lookup_secret", "method", "submit", {
        value: "lookup_secret",
        label: mfaText.loginUseLookup(),
      }),
    );
  }
  nodes.push(...more);
  const messages = nodes.length > 1 ? [mfaText.loginMfa()] : [mfaText.noMethods()];
  return { method: "POST", nodes, messages };
}

export type SecondFactorResult =
  | { ok: true; session: SessionRow; identity: FullIdentity; method: "totp" | "lookup_secret" }
  | { ok: false; message: UiText; locked?: Locked };

async function checkTotp(ctx: AppContext, identityId: string, code: string): Promise<UiText | undefined> {
  const [cred] = await ctx.db
    .select()
    .from(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, "totp")));
  const cfg = cred?.config as TotpConfig | undefined;
  if (!cred || !cfg?.totp_url) return mfaText.noTotp();
  const step = matchTotp(totpFromUrl(openTotpUrl(ctx, identityId, cfg.totp_url)), code.trim());
  // A code already used (or an older one) is refused: a code seen over a shoulder cannot be replayed.
  if (step === undefined || step <= (cfg.last_used_step ?? -1)) return mfaText.totpInvalid();
  const ok = await compareAndSetCredential(ctx.db, cred, { ...cfg, last_used_step: step });
  return ok ? undefined : mfaText.totpInvalid();
}

async function checkLookup(ctx: AppContext, identityId: string, code: string): Promise<UiText | undefined> {
  const [cred] = await ctx.db
    .select()
    .from(identityCredentials)
    .where(
      and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, "lookup_secret")),
    );
  const cfg = cred?.config as LookupConfig | undefined;
  if (!cred || !cfg?.recovery_codes?.length) return mfaText.noLookup();
  const found = findLookupCode(ctx, identityId, cfg, code);
  if (found.index < 0) return mfaText.lookupInvalid();
  if (found.used) return mfaText.lookupUsed();
  const codes = cfg.recovery_codes.map((c, i) =>
    i === found.index ? { ...c, used_at: new Date().toISOString() } : c,
  );
  const ok = await compareAndSetCredential(ctx.db, cred, { ...cfg, recovery_codes: codes });
  return ok ? undefined : mfaText.lookupUsed();
}

/** Upgrades a session to aal2 after a second factor (the method joins its authentication methods). */
export async function upgradeSession(
  ctx: AppContext,
  row: SessionRow,
  method: string,
  extra: { amr?: string[] } = {},
): Promise<SessionRow> {
  const now = new Date();
  const [updated] = await ctx.db
    .update(sessions)
    .set({
      aal: "aal2",
      authenticatedAt: now,
      authenticationMethods: [
        ...row.authenticationMethods,
        { method, aal: "aal2", completed_at: now.toISOString(), ...(extra.amr ? { amr: extra.amr } : {}) },
      ],
      updatedAt: now,
    })
    .where(eq(sessions.id, row.id))
    .returning();
  return updated!;
}

/** POST of an aal2 login flow: checks the second factor and upgrades the requester's session. */
export async function completeSecondFactor(
  ctx: AppContext,
  c: Context,
  row: FlowRow,
  body: Record<string, unknown>,
  existing: ActiveSession | undefined,
): Promise<SecondFactorResult> {
  if (!existing || (row.identityId && existing.identity.identity.id !== row.identityId)) {
    throw new OryError(401, "Authenticator assurance level of the session is too low", {
      id: "session_aal1_required",
      reason: "A second factor can only be completed for the session that started this flow.",
    });
  }
  const identityId = existing.identity.identity.id;
  const method = str(body, "method");
  const available =
    (method === "totp" && totpEnabled(ctx) && hasTotp(existing.identity)) ||
    (method === "lookup_secret" && lookupEnabled(ctx) && unusedLookupCodes(existing.identity) > 0);
  if (!available) return { ok: false, message: mfaText.noStrategy(method ?? "") };
  const code = str(body, method === "totp" ? "totp_code" : "lookup_secret") ?? "";
  if (!code.trim()) {
    return {
      ok: false,
      message: mfaText.required(method === "totp" ? "totp_code" : "lookup_secret"),
    };
  }
  const attempt = await beginAttempt(ctx, c, "aal2", identityId);
  if (attempt.locked) return { ok: false, message: lockedMessage(attempt.locked), locked: attempt.locked };
  const failure =
    method === "totp" ? await checkTotp(ctx, identityId, code) : await checkLookup(ctx, identityId, code);
  if (failure) {
    await attempt.failed(identityId);
    await audit(ctx, c, {
      event: "login.second_factor.failed",
      actor: identityId,
      target: identityId,
      metadata: { method, reason: failure.id },
    });
    return { ok: false, message: failure };
  }
  await attempt.succeeded(identityId);
  const session = await upgradeSession(ctx, existing.row, method as "totp" | "lookup_secret");
  const identity = (await loadIdentity(ctx.db, identityId))!;
  await audit(ctx, c, {
    event: "login.second_factor.succeeded",
    actor: identityId,
    target: identityId,
    metadata: { method, session_id: session.id },
  });
  return { ok: true, session, identity, method: method as "totp" | "lookup_secret" };
}
