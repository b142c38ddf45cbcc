import type { Context, Hono } from "hono";
import { syncCodeCredential } from "../code/credential.ts";
import { and, eq, gt, ne, sql } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import type { Tx } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { identities, identityCredentials, sessions } from "../../db/schema.ts";
import { flowDisabled, notFound, OryError, sessionInactive } from "../../errors/index.ts";
import { isJsonRequest, readBody } from "../../http/request.ts";
import {
  type FullIdentity,
  loadIdentity,
  syncAddresses,
  syncPasswordIdentifiers,
} from "../../identity/repository.ts";
import { uuid } from "../../security/random.ts";
import { verifyCsrfCookie, verifyCsrfToken, verifyCsrfTokenless } from "../../security/csrf.ts";
import { type ActiveSession, currentSession } from "../../session/session.ts";
import { revokeSessionsOf } from "../flow/address-proof.ts";
import { checkReturnTo, expiredFlowResponse, respondWithFlow, str, uiUrl } from "../flow/common.ts";
import { startVerification } from "../verification/flow.ts";
import { type FlowRow, findFlow, updateFlow } from "../flow/repository.ts";
import { text } from "../flow/text.ts";
import { coerceTraits, enforceReadOnly, readOnlyErrorsToUi, schemaErrorsToUi } from "../flow/traits.ts";
import { addMessage, addNodeMessage, resetMessages, type UiContainer } from "../flow/ui.ts";
import { queueWebHooks, saveSettingsChange, settingsHooks, showRefusal } from "../hook/index.ts";
import { checkPassword } from "../password/policy.ts";
import { isOidcSubmit, submitOidcSettings } from "../oidc/strategy.ts";
import { settingsDone } from "../oidc/routes.ts";
import { queueSecurityNotice } from "../../courier/security-notices.ts";
import type { SecondFactor } from "../../courier/templates.ts";
import { audit } from "../../audit/audit.ts";
import { settingsAalResponse } from "../mfa/aal.ts";
import { keepMfaNodes, mfaMethod, mfaSettingsEnabled, updateMfa, withMfaSettings } from "../mfa/settings.ts";
import { DELETE_ACCOUNT, deleteOwnAccount } from "./delete-account.ts";
import { applyFailure, redirectBrowser, workingFlow } from "../flow/lifecycle.ts";
import { flowRequest } from "../flow/request.ts";
import { strategyFor } from "../strategy/registry.ts";
import type { SaveSettings, SettingsStrategy } from "../strategy/types.ts";
import {
  createSettingsFlow,
  identityMismatch,
  isPrivileged,
  keepStrategyNodes,
  loginRedirectUrl,
  refreshRequired,
  deleteAccountUiUrl,
  schemaOf,
  settingsStrategies,
  settingsUi,
  settingsUiUrl,
  settingsWire,
  withStrategySettings,
} from "./flow.ts";

type Method = "profile" | "password";

function ensureEnabled(ctx: AppContext): void {
  if (!ctx.config.selfservice.flows.settings.enabled) throw flowDisabled("settings");
}

async function initSettings(c: Context, ctx: AppContext, type: "browser" | "api"): Promise<Response> {
  ensureEnabled(ctx);
  const rawReturnTo = c.req.query("return_to");
  const session = await currentSession(c, ctx);
  if (!session) {
    if (type === "browser" && !isJsonRequest(c)) {
      // Kratos carries over return_to; without one, come back to the settings UI after signing in.
      return c.redirect(loginRedirectUrl(ctx, rawReturnTo ?? uiUrl(ctx, "settings")), 303);
    }
    throw sessionInactive();
  }
  const aal = settingsAalResponse(ctx, c, session, type, rawReturnTo ?? uiUrl(ctx, "settings"));
  if (aal) return aal;
  const returnTo = checkReturnTo(ctx, rawReturnTo);
  const row = await createSettingsFlow(c, ctx, {
    identity: session.identity,
    sessionId: session.row.id,
    type,
    returnTo,
    before: true,
  });
  return respondWithFlow(c, ctx, row, settingsWire(c, ctx, row, session.identity));
}

/** GET …/flows?id=: only the identity the flow was made for may read it. */
async function getSettings(c: Context, ctx: AppContext): Promise<Response> {
  ensureEnabled(ctx);
  const row = await findFlow(ctx.db, "settings", c.req.query("id"));
  if (!row) throw notFound("The settings flow could not be found.");
  const session = await currentSession(c, ctx);
  if (!session) throw sessionInactive();
  if (row.type === "browser") verifyCsrfCookie(c, ctx.rt, row.csrfHash);
  if (row.identityId !== session.identity.identity.id) throw identityMismatch();
  const aal = settingsAalResponse(ctx, c, session, "api", settingsUiUrl(ctx, row.id));
  if (aal) return aal;
  if (row.expiresAt <= new Date()) {
    throw new OryError(410, "self-service flow expired", {
      id: "self_service_flow_expired",
      reason:
        "The settings flow has expired. Redirect the user to the settings flow init endpoint to initialize a new settings flow.",
      details: { redirect_to: urlJoin(ctx.rt.publicBaseUrl, "self-service/settings/browser") },
      extra: { expired_at: row.expiresAt.toISOString(), since: Date.now() - row.expiresAt.getTime() },
    });
  }
  return c.json(settingsWire(c, ctx, row, session.identity));
}

interface Outcome {
  /** The identity as it is now. */
  identity: FullIdentity;
  continueWith: Record<string, unknown>[];
  revoked: string[];
}

class Rejected extends Error {
  constructor(readonly ui: UiContainer) {
    super("settings update rejected");
  }
}

const key = (a: { via: string; value: string }) => `${a.via}:${a.value}`;
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

function afterHooks(ctx: AppContext, method: Method): Set<string> {
  const after = ctx.config.selfservice.flows.settings.after;
  const list = method === "password" && after.password?.hooks?.length ? after.password.hooks : after.hooks;
  return new Set(list.map((h) => h.hook));
}

/** Ends every other session of the identity (the `revoke_active_sessions` hook). */
const revokeOthers = (tx: Tx, s: ActiveSession) => revokeSessionsOf(tx, s.row.identityId, s.row.id);

/** How many other active, unexpired sessions the identity has. */
async function otherActiveSessions(ctx: AppContext, s: ActiveSession): Promise<number> {
  const [row] = await ctx.db
    .select({ n: sql<number>`count(*)::int` })
    .from(sessions)
    .where(
      and(
        eq(sessions.identityId, s.row.identityId),
        ne(sessions.id, s.row.id),
        eq(sessions.active, true),
        gt(sessions.expiresAt, sql`now()`),
      ),
    );
  return row?.n ?? 0;
}

/** method=profile: validate, then write traits, identifiers and addresses in one transaction. */
async function updateProfile(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
  body: Record<string, unknown>,
  ui: UiContainer,
): Promise<Outcome | "reauth"> {
  const current = session.identity;
  const schema = schemaOf(ctx, current);
  const raw = body.traits;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    addMessage(ui, text.validationGeneric("Did not receive any value changes."));
    throw new Rejected(ui);
  }
  // Read-only traits keep their stored value when left out, and may not be changed (issue 16).
  const { traits, violations } = enforceReadOnly(schema, coerceTraits(schema, raw), current.identity.traits);
  const rebuilt = {
    ...ui,
    nodes: keepStrategyNodes(ui, keepMfaNodes(ui, settingsUi(ctx, current, traits).nodes)),
  };
  if (violations.length) {
    readOnlyErrorsToUi(rebuilt, violations);
    throw new Rejected(rebuilt);
  }
  const errors = ctx.schemas.validate(schema, traits);
  if (errors.length) {
    schemaErrorsToUi(rebuilt, errors);
    throw new Rejected(rebuilt);
  }
  const before = ctx.schemas.extract(schema, current.identity.traits);
  const after = ctx.schemas.extract(schema, traits);
  // Identifiers and addresses are what an attacker with a stolen, old session would change first.
  const touchesCredentials =
    !sameSet(before.passwordIdentifiers, after.passwordIdentifiers) ||
    !sameSet(before.verifiable.map(key), after.verifiable.map(key)) ||
    !sameSet(before.recovery.map(key), after.recovery.map(key));
  if (touchesCredentials && !isPrivileged(ctx, session.row)) return "reauth";

  const known = new Set(current.verifiable.map(key));
  const added = after.verifiable.filter((a) => !known.has(key(a)));
  // Pre-hijacking: whoever registered an address they do not control must not add one they do
  // control beside it (it would let them recover the account after the owner did).
  const kept = new Set(after.verifiable.map(key));
  const pending = current.verifiable.filter((a) => !a.verified && kept.has(key(a))).map((a) => a.value);
  const knownRecovery = new Set(current.recovery.map(key));
  const addsRecovery = after.recovery.some((a) => !knownRecovery.has(key(a)));
  if (pending.length && (added.length || addsRecovery)) {
    addMessage(rebuilt, text.verifyAddressFirst(pending));
    throw new Rejected(rebuilt);
  }
  const verify = ctx.config.selfservice.flows.verification.enabled ? startVerification : undefined;
  const hookSet = afterHooks(ctx, "profile");
  const hooked = await settingsHooks(c, ctx, row, current, "profile", traits);
  if (hooked.type === "failed") {
    showRefusal(rebuilt, hooked);
    throw new Rejected(rebuilt);
  }
  try {
    return await ctx.db.transaction(async (tx) => {
      const now = new Date();
      await queueWebHooks(tx, ctx, hooked.deferred);
      await tx
        .update(identities)
        .set({ traits, updatedAt: now })
        .where(eq(identities.id, current.identity.id));
      await syncPasswordIdentifiers(tx, current.identity.id, after.passwordIdentifiers);
      await syncAddresses(tx, current.identity.id, after, now);
      await syncCodeCredential(tx, current.identity.id, after.codeAddresses, now);
      const continueWith: Record<string, unknown>[] = [];
      if (verify) {
        for (const addr of added) {
          const v = await verify(tx, ctx, c, {
            identityId: current.identity.id,
            address: addr.value,
            via: addr.via,
            type: row.type,
            returnTo: row.returnTo,
          });
          if (v) {
            continueWith.push({
              action: "show_verification_ui",
              flow: {
                id: v.flowId,
                verifiable_address: addr.value,
                ...(row.type === "browser" ? { url: v.url } : {}),
              },
            });
          }
        }
      }
      const revoked = hookSet.has("revoke_active_sessions") ? await revokeOthers(tx, session) : [];
      const identity = (await loadIdentity(tx, current.identity.id))!;
      return { identity, continueWith, revoked };
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      addMessage(rebuilt, text.duplicateCredentials());
      throw new Rejected(rebuilt);
    }
    throw e;
  }
}

/** method=password: only in the privileged window; policy-checked, never the old password again. */
async function updatePassword(
  c: Context,
  ctx: AppContext,
  session: ActiveSession,
  body: Record<string, unknown>,
  ui: UiContainer,
  row: FlowRow,
): Promise<Outcome | "reauth"> {
  if (!isPrivileged(ctx, session.row)) return "reauth";
  const current = session.identity;
  const password = str(body, "password") ?? "";
  if (!password) {
    addNodeMessage(ui, "password", text.validationRequired("password"));
    throw new Rejected(ui);
  }
  const identifiers = ctx.schemas.extract(
    schemaOf(ctx, current),
    current.identity.traits,
  ).passwordIdentifiers;
  const policy = await checkPassword(ctx, password, identifiers, row);
  if (policy) {
    addNodeMessage(ui, "password", policy);
    throw new Rejected(ui);
  }
  const [cred] = await ctx.db
    .select()
    .from(identityCredentials)
    .where(
      and(eq(identityCredentials.identityId, current.identity.id), eq(identityCredentials.type, "password")),
    );
  const oldHash = typeof cred?.config.hashed_password === "string" ? cred.config.hashed_password : undefined;
  const [same, hashed] = await Promise.all([
    oldHash ? ctx.hasher.verify(password, oldHash).catch(() => false) : Promise.resolve(false),
    ctx.hasher.hash(password),
  ]);
  if (same) {
    addNodeMessage(ui, "password", text.passwordSameAsOld());
    throw new Rejected(ui);
  }
  const hookSet = afterHooks(ctx, "password");
  const hooked = await settingsHooks(c, ctx, row, current, "password");
  if (hooked.type === "failed") {
    showRefusal(ui, hooked);
    throw new Rejected(ui);
  }
  try {
    return await ctx.db.transaction(async (tx) => {
      const now = new Date();
      await queueWebHooks(tx, ctx, hooked.deferred);
      // An identity without a password (imported, or recovered before it ever had one) gets one now.
      await tx
        .insert(identityCredentials)
        .values({
          id: uuid(),
          identityId: current.identity.id,
          type: "password",
          config: { hashed_password: hashed },
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: [identityCredentials.identityId, identityCredentials.type],
          set: { config: { hashed_password: hashed }, updatedAt: now },
        });
      if (!cred) await syncPasswordIdentifiers(tx, current.identity.id, identifiers);
      await tx.update(identities).set({ updatedAt: now }).where(eq(identities.id, current.identity.id));
      const revoked = hookSet.has("revoke_active_sessions") ? await revokeOthers(tx, session) : [];
      const identity = (await loadIdentity(tx, current.identity.id))!;
      return { identity, continueWith: [], revoked };
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      addMessage(ui, text.duplicateCredentials());
      throw new Rejected(ui);
    }
    throw e;
  }
}

/** Mails the owner about a password change or a second factor added or removed (by audit event). */
async function sendSecurityNotice(c: Context, ctx: AppContext, identityId: string, event: string) {
  const at = new Date().toISOString();
  const lang = c.req.header("accept-language");
  const factor: Record<string, [SecondFactor, "added" | "removed"]> = {
    "settings.totp.linked": ["totp", "added"],
    "settings.totp.unlinked": ["totp", "removed"],
    "settings.lookup_secret.confirmed": ["lookup_secret", "added"],
    "settings.lookup_secret.disabled": ["lookup_secret", "removed"],
    "settings.webauthn.added": ["webauthn", "added"],
    "settings.webauthn.removed": ["webauthn", "removed"],
  };
  if (event === "settings.password.changed") {
    await queueSecurityNotice(ctx.db, ctx, identityId, "security_password_changed", { at }, lang);
  } else if (factor[event]) {
    const [type, change] = factor[event];
    const template = change === "added" ? "security_second_factor_added" : "security_second_factor_removed";
    await queueSecurityNotice(ctx.db, ctx, identityId, template, { factor: type, at }, lang);
  }
}

/**
 * Hands a submission to a settings strategy (passkey, webauthn). A refusal is shown again with the
 * strategy's refreshed section and state (400); a change comes back as an outcome for the common tail.
 */
async function runStrategy(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
  body: Record<string, unknown>,
  strategy: SettingsStrategy,
): Promise<Response | { outcome: Outcome | "reauth"; event: string; data: Record<string, unknown> }> {
  // Adding or removing a way in needs a recent sign-in, as a password change does (Kratos).
  if (strategy.privileged && !isPrivileged(ctx, session.row)) {
    return { outcome: "reauth", event: "", data: row.data };
  }
  const flow = workingFlow<Record<string, unknown>>(row);
  const save: SaveSettings = async (write, kept) => {
    const saved = await saveSettingsChange(
      c,
      ctx,
      { row, identity: session.identity, method: strategy.id },
      write,
      kept,
    );
    if (saved.type === "refused") {
      const { cause: _cause, ...failure } = saved.refusal;
      return { type: "refused", failure };
    }
    return saved;
  };
  const result = await strategy.submit(flow, body, { ctx, req: flowRequest(c, ctx), session, save });
  if (result.type === "updated") {
    const identity = (await loadIdentity(ctx.db, session.identity.identity.id))!;
    return {
      outcome: { identity, continueWith: [], revoked: result.revoked ?? [] },
      event: result.event,
      data: flow.data,
    };
  }
  if (result.type === "failed") applyFailure(c, flow, result);
  const status = result.type === "rerender" ? (result.status ?? 200) : 400;
  await updateFlow(ctx.db, row.id, { ui: flow.ui, state: flow.state, data: flow.data });
  const fresh: FlowRow = { ...row, ui: flow.ui, state: flow.state, data: flow.data, updatedAt: new Date() };
  if (result.type === "redirect") return redirectBrowser(c, result.to);
  return respondWithFlow(c, ctx, fresh, settingsWire(c, ctx, fresh, session.identity), status);
}

function reauthenticate(c: Context, ctx: AppContext, row: FlowRow, returnTo?: string): Response {
  const err = refreshRequired(ctx, row.id, returnTo);
  if (row.type === "api" || isJsonRequest(c)) return c.json(err.toBody(), 403);
  return c.redirect(err.extra!.redirect_browser_to as string, 303);
}

async function submitSettings(c: Context, ctx: AppContext): Promise<Response> {
  ensureEnabled(ctx);
  const body = await readBody(c);
  const row = await findFlow(ctx.db, "settings", c.req.query("flow"));
  if (!row) throw notFound("The settings flow could not be found.");
  const session = await currentSession(c, ctx);
  if (!session) {
    if (row.type === "browser" && !isJsonRequest(c)) {
      return c.redirect(loginRedirectUrl(ctx, settingsUiUrl(ctx, row.id)), 303);
    }
    throw sessionInactive();
  }
  if (row.type === "browser") {
    // Social link/unlink: Ory's body for it has no csrf_token (see verifyCsrfTokenless).
    const tokenless = body.method === "oidc" && (body.link !== undefined || body.unlink !== undefined);
    (tokenless ? verifyCsrfTokenless : verifyCsrfToken)(c, ctx.rt, row.csrfHash, body.csrf_token);
  }
  if (row.identityId !== session.identity.identity.id) throw identityMismatch();
  const aal = settingsAalResponse(ctx, c, session, row.type, settingsUiUrl(ctx, row.id));
  if (aal) return aal;
  if (row.expiresAt <= new Date()) {
    const message = text.settingsExpired(row.expiresAt);
    const fresh = await createSettingsFlow(c, ctx, {
      identity: session.identity,
      sessionId: session.row.id,
      type: row.type,
      returnTo: row.returnTo,
      messages: [message],
    });
    return expiredFlowResponse(c, ctx, row, fresh, message);
  }

  const ui = resetMessages(row.ui);
  const fail = async (failed: UiContainer): Promise<Response> => {
    await updateFlow(ctx.db, row.id, { ui: failed });
    const fresh = { ...row, ui: failed, updatedAt: new Date() };
    return respondWithFlow(c, ctx, fresh, settingsWire(c, ctx, fresh, session.identity), 400);
  };
  if (str(body, "method") === DELETE_ACCOUNT) {
    if (!ctx.config.selfservice.flows.settings.delete_account.enabled) {
      addMessage(ui, text.settingsNoStrategy());
      return fail(ui);
    }
    // Erasing the account is the most privileged change there is: only right after a sign-in.
    // Back to the confirmation page afterwards, where the person was, not to settings.
    if (!isPrivileged(ctx, session.row)) return reauthenticate(c, ctx, row, deleteAccountUiUrl(ctx, row.id));
    return deleteOwnAccount(c, ctx, row, session);
  }
  if (isOidcSubmit(body) && ctx.config.selfservice.methods.oidc.enabled) {
    // Linking and unlinking a way in needs a recent sign-in, as a password change does.
    if (!isPrivileged(ctx, session.row)) return reauthenticate(c, ctx, row);
    const done = (identity: FullIdentity) => settingsDone(c, ctx, row, identity);
    return submitOidcSettings(c, ctx, row, session, body, ui, fail, done);
  }
  // Kratos' WebAuthn script submits natively, without `method`: its filled field names the strategy.
  const strategies = settingsStrategies(ctx);
  const method = str(body, "method") ?? mfaMethod(body) ?? strategies.find((s) => s.claims?.(body))?.id;
  const strategy = strategyFor(strategies, method);
  const methods = ctx.config.selfservice.methods;
  const enabled =
    (method === "profile" && methods.profile.enabled) ||
    (method === "password" && methods.password.enabled) ||
    mfaSettingsEnabled(ctx, method) ||
    strategy !== undefined;
  if (!enabled) {
    addMessage(ui, text.settingsNoStrategy());
    return fail(ui);
  }

  let outcome: Outcome | "reauth";
  let event = method === "profile" ? "settings.profile.updated" : "settings.password.changed";
  // What the flow keeps after this submission (a strategy may have used up its challenge).
  let data = row.data;
  if (strategy) {
    const r = await runStrategy(c, ctx, row, session, body, strategy);
    if (r instanceof Response) return r;
    event = r.event;
    data = r.data;
    outcome = r.outcome;
  } else if (mfaSettingsEnabled(ctx, method)) {
    const r = await updateMfa(c, ctx, row, session, body, ui, method);
    if (r.kind === "rejected") return fail(r.ui);
    if (r.kind === "show") {
      const shown = { ...row, ui: r.ui, updatedAt: new Date() };
      return respondWithFlow(c, ctx, shown, settingsWire(c, ctx, shown, session.identity));
    }
    if (r.kind === "done") event = r.event;
    outcome = r.kind === "reauth" ? "reauth" : r;
  } else {
    try {
      outcome =
        method === "profile"
          ? await updateProfile(c, ctx, row, session, body, ui)
          : await updatePassword(c, ctx, session, body, ui, row);
    } catch (e) {
      if (e instanceof Rejected) return fail(e.ui);
      throw e;
    }
  }
  if (outcome === "reauth") return reauthenticate(c, ctx, row);
  await sendSecurityNotice(c, ctx, outcome.identity.identity.id, event);
  ctx.notifyCourier();
  for (const id of outcome.revoked) await ctx.hydra.sessionEnded(id);

  const messages = [text.settingsSaved()];
  if (method === "password") {
    // Not ended by the revoke_active_sessions hook: say so, and UIs offer "sign out everywhere else".
    const others = await otherActiveSessions(ctx, session);
    if (others > 0) messages.push(text.passwordChangedOtherSessions(others));
  }
  // Every section is rebuilt for the identity as it is now; the WebAuthn ones with new challenges.
  const rebuiltData = { ...(method === strategy?.id ? data : row.data) };
  const withStrategies = withStrategySettings(
    c,
    ctx,
    outcome.identity,
    { ...settingsUi(ctx, outcome.identity), action: row.ui.action, messages },
    { type: row.type, data: rebuiltData },
  );
  const done: UiContainer = await withMfaSettings(ctx, outcome.identity, withStrategies, {
    id: row.id,
    data: rebuiltData,
  });
  if (event) {
    const id = outcome.identity.identity.id;
    await audit(ctx, c, { event, actor: id, target: id, metadata: { flow_id: row.id } });
  }
  await updateFlow(ctx.db, row.id, { ui: done, state: "success" });
  const fresh: FlowRow = { ...row, ui: done, state: "success", updatedAt: new Date() };
  const after = ctx.config.selfservice.flows.settings.after;
  const next =
    row.returnTo ??
    (method === "password" ? after.password?.default_browser_return_url : undefined) ??
    after.default_browser_return_url ??
    settingsUiUrl(ctx, row.id);
  if (row.type === "api") return c.json(settingsWire(c, ctx, fresh, outcome.identity, outcome.continueWith));
  if (isJsonRequest(c)) {
    const continueWith = [
      ...outcome.continueWith,
      { action: "redirect_browser_to", redirect_browser_to: next },
    ];
    return c.json(settingsWire(c, ctx, fresh, outcome.identity, continueWith));
  }
  return c.redirect(next, 303);
}

export function registerSettingsRoutes(app: Hono, ctx: AppContext): void {
  app.get("/self-service/settings/browser", (c) => initSettings(c, ctx, "browser"));
  app.get("/self-service/settings/api", (c) => initSettings(c, ctx, "api"));
  app.get("/self-service/settings/flows", (c) => getSettings(c, ctx));
  app.post("/self-service/settings", (c) => submitSettings(c, ctx));
}
