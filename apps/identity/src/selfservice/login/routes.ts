import type { Context, Hono } from "hono";
import type { AppContext } from "../../app/context.ts";
import { eq } from "drizzle-orm";
import { identityCredentials, sessions } from "../../db/schema.ts";
import { OryError, sessionAlreadyAvailable } from "../../errors/index.ts";
import { findByIdentifier, loadIdentity } from "../../identity/repository.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import { isJsonRequest, readBody } from "../../http/request.ts";
import { currentSession, issueSession, sessionToWire, setSessionCookie } from "../../session/session.ts";
import {
  baseFlowWire,
  checkReturnTo,
  createFlow,
  csrfForNewFlow,
  expiredFlowResponse,
  fetchFlowForRead,
  fetchFlowForSubmit,
  respondWithFlow,
  str,
} from "../flow/common.ts";
import { hooks } from "../flow/hooks.ts";
import { type FlowRow, updateFlow } from "../flow/repository.ts";
import { text, type UiText } from "../flow/text.ts";
import { identifierLabel } from "../flow/traits.ts";
import { audit } from "../../security/audit.ts";
import { verifyCaptcha, withCaptcha } from "../../security/captcha.ts";
import { beginAttempt, lockedMessage, setRetryAfter } from "../../security/lockout.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { aal2LoginUrl, satisfiesAal } from "../mfa/aal.ts";
import { completeSecondFactor, secondFactorUi } from "../mfa/login.ts";
import {
  addMessage,
  addNodeMessage,
  csrfNode,
  inputNode,
  resetMessages,
  setNodeValue,
  type UiContainer,
} from "../flow/ui.ts";
import { isOidcSubmit, linkAfterLogin, oidcLoginNodes, startOidc } from "../oidc/strategy.ts";

interface LoginData {
  refresh?: boolean;
  requested_aal?: string;
  oauth2_login_challenge?: string;
  oauth2_login_request?: Record<string, unknown>;
  completed?: boolean;
}

function loginUi(ctx: AppContext, identifier?: string): Omit<UiContainer, "action"> {
  return {
    method: "POST",
    nodes: [
      csrfNode(),
      inputNode("default", "identifier", "text", {
        value: identifier ?? "",
        required: true,
        autocomplete: "username webauthn",
        label: identifierLabel(ctx.schemas.default),
      }),
      inputNode("password", "password", "password", {
        required: true,
        autocomplete: "current-password",
        label: text.labelPassword(),
      }),
      inputNode("password", "method", "submit", { value: "password", label: text.loginPassword() }),
      ...oidcLoginNodes(ctx),
    ],
  };
}

export function loginWire(c: Context, ctx: AppContext, row: FlowRow): Record<string, unknown> {
  const data = row.data as LoginData;
  const base = baseFlowWire(c, ctx, row);
  return {
    ...base,
    ui: data.requested_aal === "aal2" ? base.ui : withCaptcha(ctx, "login", base.ui as UiContainer),
    organization_id: null,
    refresh: data.refresh ?? false,
    requested_aal: data.requested_aal ?? "aal1",
    ...(data.oauth2_login_challenge
      ? {
          oauth2_login_challenge: data.oauth2_login_challenge,
          oauth2_login_request: data.oauth2_login_request,
        }
      : {}),
  };
}

async function initLogin(c: Context, ctx: AppContext, type: "browser" | "api"): Promise<Response> {
  const returnTo = checkReturnTo(ctx, c.req.query("return_to"));
  const refresh = c.req.query("refresh") === "true";
  const aal = c.req.query("aal") || "aal1";
  const challenge = c.req.query("login_challenge");
  const session = await currentSession(c, ctx);
  if (aal === "aal2" && !session) {
    throw new OryError(401, "Authenticator assurance level of the session is too low", {
      id: "session_aal1_required",
      reason: "You can not requested a higher AAL (AAL2/AAL3) without an active session.",
    });
  }
  if (session && !refresh && (aal !== "aal2" || session.row.aal === "aal2") && !challenge) {
    if (type === "browser" && !isJsonRequest(c)) {
      return c.redirect(returnTo ?? ctx.config.selfservice.default_browser_return_url, 303);
    }
    throw sessionAlreadyAvailable();
  }
  let oauth2Request: Record<string, unknown> | undefined;
  if (challenge) {
    if (!hooks.loadLoginChallenge) {
      throw new OryError(400, "OAuth2 login challenges are not supported by this deployment", {
        reason: "The login_challenge parameter requires the OAuth2 provider.",
      });
    }
    oauth2Request = await hooks.loadLoginChallenge(ctx, challenge);
  }
  const identifier =
    refresh && session
      ? (session.identity.credentials.find((cr) => cr.type === "password")?.identifiers[0] ?? "")
      : undefined;
  const ui = aal === "aal2" && session ? secondFactorUi(ctx, session.identity) : loginUi(ctx, identifier);
  if (refresh && session) ui.messages = [text.loginReAuth()];
  const data: LoginData = { refresh, requested_aal: aal };
  if (challenge)
    Object.assign(data, { oauth2_login_challenge: challenge, oauth2_login_request: oauth2Request });
  const row = await createFlow(c, ctx, {
    kind: "login",
    type,
    state: "choose_method",
    ui,
    returnTo,
    data: data as Record<string, unknown>,
    csrfHash: csrfForNewFlow(c, ctx, type),
    // An aal2 flow belongs to the session that asked for it.
    identityId: aal === "aal2" ? session?.identity.identity.id : undefined,
  });
  return respondWithFlow(c, ctx, row, loginWire(c, ctx, row));
}

/** Re-renders the flow with a message: 400 + flow for JSON, 303 to the UI for browsers. */
async function failFlow(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  ui: UiContainer,
  identifier: string | undefined,
): Promise<Response> {
  setNodeValue(ui, "identifier", identifier ?? "");
  await updateFlow(ctx.db, row.id, { ui });
  const fresh = { ...row, ui, updatedAt: new Date() };
  return respondWithFlow(c, ctx, fresh, loginWire(c, ctx, fresh), 400);
}

async function submitLogin(c: Context, ctx: AppContext): Promise<Response> {
  const body = await readBody(c);
  const row = await fetchFlowForSubmit(c, ctx, "login", body);
  const data = row.data as LoginData;
  if (row.expiresAt <= new Date()) {
    const ui = loginUi(ctx);
    ui.messages = [text.loginExpired(row.expiresAt)];
    const fresh = await createFlow(c, ctx, {
      kind: "login",
      type: row.type,
      state: "choose_method",
      ui,
      returnTo: row.returnTo ?? undefined,
      data: {
        refresh: data.refresh,
        requested_aal: data.requested_aal,
        oauth2_login_challenge: data.oauth2_login_challenge,
        oauth2_login_request: data.oauth2_login_request,
      },
      csrfHash: row.csrfHash,
    });
    return expiredFlowResponse(c, ctx, row, fresh, text.loginExpired(row.expiresAt));
  }
  const ui = resetMessages(row.ui);
  const identifierRaw = str(body, "identifier");
  const existing = await currentSession(c, ctx);
  if (data.completed) {
    addMessage(ui, text.validationGeneric("This login flow was already completed. Please start a new one."));
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  if (data.requested_aal === "aal2") {
    const second = await completeSecondFactor(ctx, c, row, body, existing);
    if (!second.ok) {
      addMessage(ui, second.message);
      if (second.locked) setRetryAfter(c, second.locked, row.type === "api");
      return failFlow(c, ctx, row, ui, undefined);
    }
    await updateFlow(ctx.db, row.id, { data: { ...data, completed: true } });
    return finishLogin(c, ctx, row, second.session, existing!.token, second.identity);
  }
  if (existing && !data.refresh && !data.oauth2_login_challenge) {
    addMessage(
      ui,
      text.validationGeneric(
        "A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?",
      ),
    );
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  if (isOidcSubmit(body)) {
    return startOidc(c, ctx, row, body.provider, ui, (u) => failFlow(c, ctx, row, u, identifierRaw));
  }
  const method = str(body, "method") ?? "password";
  if (method !== "password") {
    addMessage(
      ui,
      text.validationGeneric(
        `Could not find a strategy to log you in with "${method}". Did you fill out the form correctly?`,
      ),
    );
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  const password = str(body, "password") ?? "";
  const missing: [string, UiText][] = [];
  if (!identifierRaw?.trim()) missing.push(["identifier", text.validationRequired("identifier")]);
  if (!password) missing.push(["password", text.validationRequired("password")]);
  if (missing.length) {
    for (const [name, msg] of missing) addNodeMessage(ui, name, msg);
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  const identifier = normalizeIdentifier(identifierRaw!);
  if (identifier.length > 512 || password.length > 4096) {
    addMessage(ui, text.invalidCredentials());
    return failFlow(c, ctx, row, ui, identifierRaw);
  }

  const captcha = await verifyCaptcha(ctx, c, "login", body);
  if (captcha) {
    addMessage(ui, captcha);
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  // Brute-force protection: a locked identifier (or address) is refused before any password check.
  const attempt = await beginAttempt(ctx, c, "identifier", identifier);
  if (attempt.locked) {
    addMessage(ui, lockedMessage(attempt.locked));
    setRetryAfter(c, attempt.locked, row.type === "api");
    await audit(ctx, c, {
      event: "login.failed",
      actor: "anonymous",
      target: identifier,
      metadata: { reason: "locked" },
    });
    return failFlow(c, ctx, row, ui, identifierRaw);
  }

  const owner = await findByIdentifier(ctx.db, "password", identifier);
  const cred = owner
    ? (
        await ctx.db
          .select()
          .from(identityCredentials)
          .where(eq(identityCredentials.id, owner.credentialId))
          .limit(1)
      )[0]
    : undefined;
  const hash = typeof cred?.config.hashed_password === "string" ? cred.config.hashed_password : undefined;
  // An unknown identifier costs one hash too, so timing does not reveal which accounts exist.
  let ok = false;
  if (hash) ok = await ctx.hasher.verify(password, hash);
  else await ctx.hasher.burn(password);
  if (!ok || !owner) {
    await attempt.failed(owner?.identityId);
    await audit(ctx, c, {
      event: "login.failed",
      actor: "anonymous",
      target: owner?.identityId ?? identifier,
      metadata: { reason: "invalid_credentials", identifier },
    });
    addMessage(ui, text.invalidCredentials());
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  await attempt.succeeded(owner.identityId);
  const identity = await loadIdentity(ctx.db, owner.identityId);
  if (!identity) {
    addMessage(ui, text.invalidCredentials());
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  if (identity.identity.state !== "active") {
    addMessage(ui, text.accountDisabled());
    return failFlow(c, ctx, row, ui, identifierRaw);
  }
  if (ctx.config.selfservice.flows.login.require_verified_address) {
    const verified =
      identity.verifiable.some((a) => a.verified && a.value === identifier) ||
      (identity.verifiable.some((a) => a.verified) &&
        !identity.verifiable.some((a) => a.value === identifier));
    if (!verified) {
      addMessage(ui, text.addressNotVerified());
      return failFlow(c, ctx, row, ui, identifierRaw);
    }
  }
  if (ctx.hasher.needsRehash(hash!)) {
    const rehashed = await ctx.hasher.hash(password);
    await ctx.db
      .update(identityCredentials)
      .set({ config: { ...cred!.config, hashed_password: rehashed }, updatedAt: new Date() })
      .where(eq(identityCredentials.id, cred!.id));
  }

  // A social sign-in that met this account's address waits for this login to be linked (Kratos 1010016).
  await linkAfterLogin(c, ctx, row, identity.identity.id);
  const now = new Date();
  let sessionRow: typeof sessions.$inferSelect;
  let token: string;
  if (data.refresh && existing && existing.identity.identity.id === identity.identity.id) {
    const methods = [
      ...existing.row.authenticationMethods,
      { method: "password", aal: "aal1", completed_at: now.toISOString() },
    ];
    const [updated] = await ctx.db
      .update(sessions)
      .set({ authenticatedAt: now, authenticationMethods: methods, updatedAt: now })
      .where(eq(sessions.id, existing.row.id))
      .returning();
    sessionRow = updated!;
    token = existing.token;
  } else {
    const issued = await ctx.db.transaction(async (tx) => {
      const s = await issueSession(tx, ctx, {
        identityId: identity.identity.id,
        methods: [{ method: "password" }],
        c,
      });
      await updateFlow(tx, row.id, {
        data: { ...data, completed: true },
        identityId: identity.identity.id,
        sessionId: s.row.id,
      });
      return s;
    });
    sessionRow = issued.row;
    token = issued.token;
  }
  return finishLogin(c, ctx, row, sessionRow, token, identity);
}

/**
 * Answers a completed login (first or second factor): the session token for API flows, the cookie and
 * a redirect (or continue_with) for browsers, completing an OAuth2 login challenge when there is one.
 * A session below the AAL that whoami requires is sent on to the second factor first, as in Kratos.
 */
export async function finishLogin(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  sessionRow: typeof sessions.$inferSelect,
  token: string,
  identity: FullIdentity,
): Promise<Response> {
  const data = row.data as LoginData;
  await audit(ctx, c, {
    event: "login.succeeded",
    actor: identity.identity.id,
    target: identity.identity.id,
    metadata: { session_id: sessionRow.id, aal: sessionRow.aal, flow_type: row.type },
  });
  if (!satisfiesAal(ctx.config.session.whoami.required_aal, sessionRow, identity)) {
    if (row.type === "api") {
      // The identity is withheld until the second factor is done, as Kratos does.
      const { identity: _withheld, ...partial } = sessionToWire(ctx, sessionRow, identity);
      return c.json({
        session: partial,
        session_token: token,
        continue_with: [{ action: "set_ory_session_token", ory_session_token: token }],
      });
    }
    setSessionCookie(c, ctx, token, sessionRow.expiresAt);
    const url = aal2LoginUrl(ctx, {
      returnTo: row.returnTo ?? undefined,
      loginChallenge: data.oauth2_login_challenge,
    });
    if (isJsonRequest(c)) {
      return c.json(
        new OryError(422, "browser location change required", {
          id: "browser_location_change_required",
          reason: `In order to complete this flow please redirect the browser to: ${url}`,
          extra: { redirect_browser_to: url },
        }).toBody(),
        422,
      );
    }
    return c.redirect(url, 303);
  }
  const session = sessionToWire(ctx, sessionRow, identity);

  if (row.type === "api") {
    return c.json({
      session,
      session_token: token,
      continue_with: [{ action: "set_ory_session_token", ory_session_token: token }],
    });
  }
  setSessionCookie(c, ctx, token, sessionRow.expiresAt);
  let next = row.returnTo ?? ctx.config.selfservice.default_browser_return_url;
  if (data.oauth2_login_challenge && hooks.acceptLoginChallenge) {
    next = await hooks.acceptLoginChallenge(ctx, c, {
      challenge: data.oauth2_login_challenge,
      identityId: identity.identity.id,
      sessionId: sessionRow.id,
      methods: sessionRow.aal === "aal2" ? ["pwd", "otp"] : ["pwd"],
      aal: sessionRow.aal,
      flow: row,
    });
    if (isJsonRequest(c)) {
      return c.json(
        new OryError(422, "browser location change required", {
          id: "browser_location_change_required",
          reason: `In order to complete this flow please redirect the browser to: ${next}`,
          extra: { redirect_browser_to: next },
        }).toBody(),
        422,
      );
    }
    return c.redirect(next, 303);
  }
  if (isJsonRequest(c)) {
    return c.json({ session, continue_with: [{ action: "redirect_browser_to", redirect_browser_to: next }] });
  }
  return c.redirect(next, 303);
}

export function registerLoginRoutes(app: Hono, ctx: AppContext): void {
  app.get("/self-service/login/browser", (c) => initLogin(c, ctx, "browser"));
  app.get("/self-service/login/api", (c) => initLogin(c, ctx, "api"));
  app.get("/self-service/login/flows", async (c) => {
    const row = await fetchFlowForRead(c, ctx, "login");
    return c.json(loginWire(c, ctx, row));
  });
  app.post("/self-service/login", (c) => submitLogin(c, ctx));
}
