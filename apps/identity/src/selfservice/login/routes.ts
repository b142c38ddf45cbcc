import type { Context, Hono } from "hono";
import { eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import { sessions } from "../../db/schema.ts";
import { OryError, sessionAlreadyAvailable } from "../../errors/index.ts";
import { isJsonRequest } from "../../http/request.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { type AuditEvent, audit, auditInsert } from "../../audit/audit.ts";
import { withCaptcha } from "../../security/captcha.ts";
import {
  type ActiveSession,
  currentSession,
  issueSession,
  sessionToWire,
  setSessionCookie,
} from "../../session/session.ts";
import {
  baseFlowWire,
  checkReturnTo,
  csrfForNewFlow,
  fetchFlowForRead,
  respondWithFlow,
  str,
} from "../flow/common.ts";
import { createFlowWithHooks } from "../hook/before.ts";
import { loginHooks } from "../hook/index.ts";
import {
  applyFailure,
  type FlowSpec,
  openSubmission,
  redirectBrowser,
  showAgain,
  workingFlow,
} from "../flow/lifecycle.ts";
import { flowRequest } from "../flow/request.ts";
import { type FlowRow, flowUpdate, updateFlow } from "../flow/repository.ts";
import { text } from "../flow/text.ts";
import { csrfNode, setNodeValue, type UiContainer, type UiNode } from "../flow/ui.ts";
import { aal2LoginUrl, satisfiesAal } from "../mfa/aal.ts";
import { completeSecondFactor, secondFactorUi, upgradeSession } from "../mfa/login.ts";
import { isCodeSecondFactor } from "../strategy/code/login.ts";
import { linkAfterLogin } from "../oidc/strategy.ts";
import { strategyFor } from "../strategy/registry.ts";
import type {
  FlowFailure,
  LoginData,
  LoginFlow,
  LoginOutcome,
  LoginStrategy,
  LoginSuccess,
  StrategyEnv,
} from "../strategy/types.ts";

/** The audit event of a completed sign-in. */
function loginSucceeded(
  identity: FullIdentity,
  sessionId: string,
  aal: string,
  row: FlowRow,
  method: string | undefined,
): AuditEvent {
  return {
    event: "login.succeeded",
    actor: identity.identity.id,
    target: identity.identity.id,
    metadata: { session_id: sessionId, aal, flow_type: row.type, ...(method ? { method } : {}) },
  };
}

/*
 * The login flow: `GET /self-service/login/{browser,api}` creates it with the nodes of every enabled
 * first-factor strategy (or, with `?aal=aal2`, the identity's second factors); `POST
 * /self-service/login?flow=` hands the submission to the strategy named by `method`, then issues (or
 * refreshes) the session and answers — completing an OAuth2 login challenge when the flow has one.
 */

/** A first-factor login form: the CSRF node, then each strategy's nodes (a shared `default` node once). */
function loginUi(
  strategies: readonly LoginStrategy[],
  env: StrategyEnv & { identity?: FullIdentity },
  type: "browser" | "api",
  data: LoginData,
): Omit<UiContainer, "action"> {
  const nodes: UiNode[] = [csrfNode()];
  for (const s of strategies) {
    for (const n of s.nodes({ type, data }, env)) {
      const shared =
        n.group === "default" &&
        nodes.some((m) => m.group === "default" && m.attributes.name === n.attributes.name);
      if (!shared) nodes.push(n);
    }
  }
  return { method: "POST", nodes };
}

export function loginWire(c: Context, ctx: AppContext, row: FlowRow): Record<string, unknown> {
  const data = row.data as LoginData;
  const base = baseFlowWire(c, ctx, row);
  return {
    ...base,
    ui: data.requested_aal === "aal2" ? base.ui : withCaptcha(ctx, "login", base.ui as UiContainer),
    organization_id: null,
    // The method a two-step flow is in (Kratos' `active`): UIs show the code form while it is `code`.
    ...(row.state === "sent_email" && data.code ? { active: "code" } : {}),
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

/**
 * The OAuth2 `amr` values of a session's sign-in methods, in order, each once (methods that are not
 * sign-ins, such as a recovery code, add none).
 */
export function amrOf(
  strategies: readonly LoginStrategy[],
  methods: { method: string; amr?: unknown }[],
): string[] {
  const out: string[] = [];
  for (const m of methods) {
    // An entry may carry what its sign-in earned (a WebAuthn key: hwk or swk, user).
    const own = Array.isArray(m.amr) ? m.amr.filter((x): x is string => typeof x === "string") : [];
    const amr = own.length
      ? own
      : [strategies.find((s) => s.id === m.method)?.amr ?? SECOND_FACTOR_AMR[m.method]];
    for (const a of amr) if (a && !out.includes(a)) out.push(a);
  }
  return out;
}

/** Second factors not yet on the strategy interface. */
const SECOND_FACTOR_AMR: Record<string, string> = { totp: "otp", lookup_secret: "otp" };

export class LoginFlows {
  readonly first: readonly LoginStrategy[];
  /** Second factors on the strategy interface (the rest are in mfa/login.ts). */
  readonly second: readonly LoginStrategy[];
  readonly spec: FlowSpec;

  constructor(
    private readonly ctx: AppContext,
    readonly strategies: readonly LoginStrategy[],
  ) {
    this.first = strategies.filter((s) => s.aal === "aal1");
    this.second = strategies.filter((s) => s.aal === "aal2");
    this.spec = {
      kind: "login",
      wire: loginWire,
      renew: (c, _ctx, expired) => {
        const old = expired.data as LoginData;
        const data: LoginData = {
          refresh: old.refresh,
          requested_aal: old.requested_aal,
          oauth2_login_challenge: old.oauth2_login_challenge,
          oauth2_login_request: old.oauth2_login_request,
        };
        return {
          // Strategies keep state for the new flow in its data (a WebAuthn challenge).
          ui: loginUi(this.first, { ctx, req: flowRequest(c, ctx) }, expired.type, data),
          data: data as Record<string, unknown>,
          message: text.loginExpired(expired.expiresAt),
        };
      },
    };
  }

  async init(c: Context, type: "browser" | "api"): Promise<Response> {
    const ctx = this.ctx;
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
      oauth2Request = await ctx.hydra.getLoginRequest(challenge);
    }
    const data: LoginData = { refresh, requested_aal: aal };
    if (challenge)
      Object.assign(data, { oauth2_login_challenge: challenge, oauth2_login_request: oauth2Request });
    const env = { ctx, req: flowRequest(c, ctx), session, identity: refresh ? session?.identity : undefined };
    const ui =
      aal === "aal2" && session
        ? secondFactorUi(
            ctx,
            session.identity,
            this.second.flatMap((s) => s.nodes({ type, data }, { ...env, identity: session.identity })),
          )
        : loginUi(this.first, env, type, data);
    if (refresh && session) ui.messages = [text.loginReAuth()];
    const row = await createFlowWithHooks(
      c,
      ctx,
      {
        kind: "login",
        type,
        state: "choose_method",
        ui,
        returnTo,
        data: data as Record<string, unknown>,
        csrfHash: csrfForNewFlow(c, ctx, type),
        // An aal2 flow belongs to the session that asked for it.
        identityId: aal === "aal2" ? session?.identity.identity.id : undefined,
      },
      (r) => loginWire(c, ctx, r),
    );
    return respondWithFlow(c, ctx, row, loginWire(c, ctx, row));
  }

  async submit(c: Context): Promise<Response> {
    const ctx = this.ctx;
    const opened = await openSubmission(c, ctx, this.spec);
    if ("response" in opened) return opened.response;
    const { row, body } = opened;
    const flow = workingFlow<LoginData>(row);
    const data = flow.data;
    const identifierRaw = str(body, "identifier");
    const existing = await currentSession(c, ctx);
    const fail = (failure: Omit<FlowFailure, "type">) => {
      applyFailure(c, flow, failure);
      setNodeValue(flow.ui, "identifier", identifierRaw ?? "");
      return showAgain(c, ctx, this.spec, flow, 400);
    };
    if (data.completed) {
      return fail({
        messages: [text.validationGeneric("This login flow was already completed. Please start a new one.")],
      });
    }
    if (data.requested_aal === "aal2") {
      // A second factor on the strategy interface, by `method` or (Kratos' script posts natively,
      // without one) by its filled field; totp and lookup_secret are still handled by mfa/login.ts.
      const method = str(body, "method");
      const strategy = isCodeSecondFactor(body)
        ? strategyFor(this.second, "code")
        : this.second.find(
            (s) => s.id !== "code" && (method === undefined ? s.claims?.(body) === true : method === s.id),
          );
      if (strategy) {
        if (!existing || (row.identityId && existing.identity.identity.id !== row.identityId)) {
          throw new OryError(401, "Authenticator assurance level of the session is too low", {
            id: "session_aal1_required",
            reason: "A second factor can only be completed for the session that started this flow.",
          });
        }
        const outcome = await strategy.submit(flow, body, {
          ctx,
          req: flowRequest(c, ctx),
          session: existing,
        });
        return this.answer(c, flow, outcome, existing, fail);
      }
      const second = await completeSecondFactor(ctx, c, row, body, existing);
      if (!second.ok) return fail({ messages: [second.message], locked: second.locked });
      await updateFlow(ctx.db, row.id, { data: { ...row.data, completed: true } });
      return this.finish(c, row, second.session, existing!.token, second.identity);
    }
    if (existing && !data.refresh && !data.oauth2_login_challenge) {
      return fail({
        messages: [
          text.validationGeneric(
            "A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?",
          ),
        ],
      });
    }
    // A social sign-in button may arrive without `method` (only its `provider` value).
    const method =
      str(body, "method") ??
      this.first.find((s) => s.claims?.(body))?.id ??
      (typeof body.provider === "string" ? "oidc" : "password");
    const strategy = strategyFor(this.first, method);
    if (!strategy) {
      return fail({
        messages: [
          text.validationGeneric(
            `Could not find a strategy to log you in with "${method}". Did you fill out the form correctly?`,
          ),
        ],
      });
    }
    const outcome = await strategy.submit(flow, body, { ctx, req: flowRequest(c, ctx), session: existing });
    return this.answer(c, flow, outcome, existing, fail);
  }

  /** What the flow does with a strategy's outcome. */
  private async answer(
    c: Context,
    flow: LoginFlow,
    outcome: LoginOutcome,
    existing: ActiveSession | undefined,
    fail: (failure: Omit<FlowFailure, "type">) => Promise<Response>,
  ): Promise<Response> {
    switch (outcome.type) {
      case "failed":
        return fail(outcome);
      case "rerender":
        return showAgain(c, this.ctx, this.spec, flow, outcome.status ?? 200);
      case "redirect":
        await showAgain(c, this.ctx, this.spec, flow, 200);
        return redirectBrowser(c, outcome.to);
      case "authenticated":
        return this.authenticated(c, flow, outcome, existing);
    }
  }

  /**
   * A first factor succeeded: refreshes the caller's session when this is a refresh flow for the same
   * identity, otherwise issues a new session (and completes the flow) in one transaction; then answers.
   * Strategies with their own completion route (e.g. an OIDC callback) call this too.
   */
  async authenticated(
    c: Context,
    flow: LoginFlow,
    outcome: LoginSuccess,
    existing: ActiveSession | undefined,
  ): Promise<Response> {
    const ctx = this.ctx;
    const { identity, method } = outcome;
    const refused = await loginHooks(c, ctx, flow.row, identity, method.method);
    if (refused) {
      applyFailure(c, flow, refused);
      return showAgain(c, ctx, this.spec, flow, 400);
    }
    // A social sign-in that met this account's address waits for this sign-in to be linked (Kratos 1010016).
    await linkAfterLogin(c, ctx, flow.row, identity.identity.id);
    const now = new Date();
    const entry = {
      method: method.method,
      aal: method.aal,
      completed_at: now.toISOString(),
      ...(method.provider ? { provider: method.provider } : {}),
      ...(method.amr ? { amr: method.amr } : {}),
    };
    let sessionRow: typeof sessions.$inferSelect;
    let token: string;
    if (method.aal === "aal2" && existing && existing.identity.identity.id === identity.identity.id) {
      // A second factor upgrades the session that asked for it.
      sessionRow = await upgradeSession(
        ctx,
        existing.row,
        method.method,
        method.amr ? { amr: method.amr } : {},
      );
      token = existing.token;
      await updateFlow(ctx.db, flow.id, { data: { ...flow.data, completed: true } });
    } else if (flow.data.refresh && existing && existing.identity.identity.id === identity.identity.id) {
      const [updated] = await ctx.db
        .update(sessions)
        .set({
          authenticatedAt: now,
          authenticationMethods: [...existing.row.authenticationMethods, entry],
          updatedAt: now,
        })
        .where(eq(sessions.id, existing.row.id))
        .returning();
      sessionRow = updated!;
      token = existing.token;
    } else {
      // The session, the completed flow and the audit row: one statement, committed together.
      const issued = await issueSession(
        ctx.db,
        ctx,
        {
          identityId: identity.identity.id,
          methods: [
            {
              method: method.method,
              aal: method.aal,
              ...(method.provider ? { provider: method.provider } : {}),
              ...(method.amr ? { amr: method.amr } : {}),
            },
          ],
          c,
        },
        (sessionId) => [
          flowUpdate(ctx.db, flow.id, {
            data: { ...flow.data, completed: true },
            identityId: identity.identity.id,
            sessionId,
          }),
          // A new session starts at aal1 (issueSession's default); a second factor upgrades it later.
          auditInsert(ctx, c, loginSucceeded(identity, sessionId, "aal1", flow.row, method.method)),
        ],
      );
      return this.finish(c, flow.row, issued.row, issued.token, identity, { audited: true });
    }
    return this.finish(c, flow.row, sessionRow, token, identity);
  }

  /**
   * Answers a completed login (first or second factor): the session token for API flows, the cookie
   * and a redirect (or continue_with) for browsers, completing an OAuth2 login challenge when there is
   * one. A session below the AAL that whoami requires is sent on to the second factor first, as in Kratos.
   */
  private async finish(
    c: Context,
    row: FlowRow,
    sessionRow: typeof sessions.$inferSelect,
    token: string,
    identity: FullIdentity,
    opts: { audited?: boolean } = {},
  ): Promise<Response> {
    const ctx = this.ctx;
    const data = row.data as LoginData;
    if (!opts.audited) {
      const method = sessionRow.authenticationMethods.at(-1)?.method;
      await audit(ctx, c, loginSucceeded(identity, sessionRow.id, sessionRow.aal, row, method));
    }
    if (!satisfiesAal(ctx.config.session.whoami.required_aal, sessionRow, identity, ctx)) {
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
      return redirectBrowser(c, url);
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
    if (data.oauth2_login_challenge) {
      next = await ctx.hydra.acceptLoginRequest(data.oauth2_login_challenge, {
        subject: identity.identity.id,
        sessionId: sessionRow.id,
        amr: amrOf(this.strategies, sessionRow.authenticationMethods),
        acr: sessionRow.aal,
      });
      return redirectBrowser(c, next);
    }
    if (isJsonRequest(c)) {
      return c.json({
        session,
        continue_with: [{ action: "redirect_browser_to", redirect_browser_to: next }],
      });
    }
    return c.redirect(next, 303);
  }
}

declare module "../../app/context.ts" {
  interface AppContext {
    /**
     * The core's login flows, for strategies that complete on a route of their own (the OIDC
     * callback); set when the login routes are registered.
     */
    loginFlows?: LoginFlows;
  }
}

/** A core's login flows, for strategies that complete on a route of their own (the OIDC callback). */
export function loginFlowsOf(ctx: AppContext): LoginFlows | undefined {
  return ctx.loginFlows;
}

export function registerLoginRoutes(app: Hono, ctx: AppContext): void {
  const flows = new LoginFlows(ctx, ctx.strategies.login);
  ctx.loginFlows = flows;
  app.get("/self-service/login/browser", (c) => flows.init(c, "browser"));
  app.get("/self-service/login/api", (c) => flows.init(c, "api"));
  app.get("/self-service/login/flows", async (c) => {
    const row = await fetchFlowForRead(c, ctx, "login");
    return c.json(loginWire(c, ctx, row));
  });
  app.post("/self-service/login", (c) => flows.submit(c));
}
