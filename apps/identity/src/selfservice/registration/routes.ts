import type { Context, Hono } from "hono";
import type { AppContext } from "../../app/context.ts";
import { flowDisabled, OryError, sessionAlreadyAvailable } from "../../errors/index.ts";
import { isJsonRequest, readBody } from "../../http/request.ts";
import { createIdentity, identityToWire, loadIdentity } from "../../identity/repository.ts";
import { issueSession, sessionToWire, setSessionCookie } from "../../session/session.ts";
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
import { createFlowWithHooks } from "../hook/before.ts";
import { queueWebHooks, registrationHooks, showRefusal } from "../hook/index.ts";
import { startVerification } from "../verification/flow.ts";
import {
  codeRegistrationNodes,
  isCodeRegistration,
  submitCodeRegistration,
} from "../strategy/code/registration.ts";
import { type FlowRow, updateFlow } from "../flow/repository.ts";
import { text } from "../flow/text.ts";
import {
  coerceTraits,
  enforceReadOnly,
  readOnlyErrorsToUi,
  schemaErrorsToUi,
  traitNodes,
} from "../flow/traits.ts";
import {
  addMessage,
  addNodeMessage,
  csrfNode,
  inputNode,
  resetMessages,
  type UiContainer,
} from "../flow/ui.ts";
import { currentSession } from "../../session/session.ts";
import { checkPassword } from "../password/policy.ts";
import { oidcRegistrationNodes, isOidcSubmit } from "../oidc/strategy.ts";
import { submitOidcRegistration } from "../oidc/routes.ts";
import { audit } from "../../audit/audit.ts";
import { verifyCaptcha, withCaptcha } from "../../security/captcha.ts";
import type { CredentialInput } from "../../identity/repository.ts";
import { applyFailure, workingFlow } from "../flow/lifecycle.ts";
import { flowRequest } from "../flow/request.ts";
import { strategyFor } from "../strategy/registry.ts";
import type { AuthMethodEntry, RegistrationData, RegistrationStrategy } from "../strategy/types.ts";

/** The registration strategies the configuration enables (passkey), in node order. */
function registrationStrategies(ctx: AppContext): readonly RegistrationStrategy[] {
  return ctx.strategies.registration;
}

/** The first-step nodes of the registration strategies (e.g. "Sign up with passkey"). */
function strategyNodes(c: Context, ctx: AppContext, type: "browser" | "api", data: RegistrationData) {
  const env = { ctx, req: flowRequest(c, ctx) };
  return registrationStrategies(ctx).flatMap((s) => s.nodes({ type, data }, env));
}

function registrationUi(
  c: Context,
  ctx: AppContext,
  type: "browser" | "api",
  data: RegistrationData,
  traits?: Record<string, unknown>,
): Omit<UiContainer, "action"> {
  return {
    method: "POST",
    nodes: [
      csrfNode(),
      ...traitNodes(ctx.schemas.default, "default", traits, { readOnly: "omit" }),
      inputNode("password", "password", "password", {
        required: true,
        autocomplete: "new-password",
        label: text.labelPassword(),
      }),
      inputNode("password", "method", "submit", { value: "password", label: text.registrationSignUp() }),
      ...codeRegistrationNodes(ctx),
      ...strategyNodes(c, ctx, type, data),
      ...oidcRegistrationNodes(ctx),
    ],
  };
}

export function registrationWire(c: Context, ctx: AppContext, row: FlowRow): Record<string, unknown> {
  const base = baseFlowWire(c, ctx, row);
  return {
    ...base,
    ui: withCaptcha(ctx, "registration", base.ui as UiContainer),
    organization_id: null,
    // The method a two-step flow is in (Kratos' `active`): UIs show the code form while it is `code`,
    // and a strategy's next step (the passkey ceremony) while its id is stored as the flow's `active`.
    ...(row.state === "sent_email"
      ? { active: "code" }
      : typeof (row.data as { active?: unknown } | null)?.active === "string"
        ? { active: (row.data as { active: string }).active }
        : {}),
  };
}

async function initRegistration(c: Context, ctx: AppContext, type: "browser" | "api"): Promise<Response> {
  if (!ctx.config.selfservice.flows.registration.enabled) throw flowDisabled("registration");
  const returnTo = checkReturnTo(ctx, c.req.query("return_to"));
  if (await currentSession(c, ctx)) {
    if (type === "browser" && !isJsonRequest(c)) {
      return c.redirect(returnTo ?? ctx.config.selfservice.default_browser_return_url, 303);
    }
    throw sessionAlreadyAvailable();
  }
  const data: RegistrationData = c.req.query("login_challenge")
    ? { login_challenge: c.req.query("login_challenge") }
    : {};
  const row = await createFlowWithHooks(
    c,
    ctx,
    {
      kind: "registration",
      type,
      state: "choose_method",
      ui: registrationUi(c, ctx, type, data),
      returnTo,
      data,
      csrfHash: csrfForNewFlow(c, ctx, type),
    },
    (r) => registrationWire(c, ctx, r),
  );
  return respondWithFlow(c, ctx, row, registrationWire(c, ctx, row));
}

/** The after-registration hooks of a method: its own list when it has one, else the common one. */
function afterHooks(ctx: AppContext, method: "password" | "passkey"): Set<string> {
  const after = ctx.config.selfservice.flows.registration.after;
  const own = after[method]?.hooks;
  const list = own?.length ? own : after.hooks;
  return new Set(list.map((h) => h.hook));
}

async function submitRegistration(c: Context, ctx: AppContext): Promise<Response> {
  if (!ctx.config.selfservice.flows.registration.enabled) throw flowDisabled("registration");
  const body = await readBody(c);
  const row = await fetchFlowForSubmit(c, ctx, "registration", body);
  if (row.expiresAt <= new Date()) {
    const ui = registrationUi(c, ctx, row.type, {});
    ui.messages = [text.registrationExpired(row.expiresAt)];
    const fresh = await createFlow(c, ctx, {
      kind: "registration",
      type: row.type,
      state: "choose_method",
      ui,
      returnTo: row.returnTo ?? undefined,
      csrfHash: row.csrfHash,
    });
    return expiredFlowResponse(c, ctx, row, fresh, text.registrationExpired(row.expiresAt));
  }
  const schema = ctx.schemas.default;
  // Read-only traits (customer numbers, tiers, statuses…) are the administrators' to set, not the registrant's.
  const { traits, violations: readOnly } = enforceReadOnly(
    schema,
    coerceTraits(schema, body.traits),
    undefined,
  );
  const ui = resetMessages({ ...row.ui, nodes: [] });
  ui.nodes = [
    csrfNode(),
    ...traitNodes(schema, "default", traits, { readOnly: "omit" }),
    ...resetMessages(row.ui).nodes.filter(
      (n) => n.group === "password" || (n.group === "oidc" && n.attributes.name === "provider"),
    ),
    ...strategyNodes(c, ctx, row.type, {}),
  ];

  const fail = async (): Promise<Response> => {
    await updateFlow(ctx.db, row.id, { ui });
    const fresh = { ...row, ui, updatedAt: new Date() };
    return respondWithFlow(c, ctx, fresh, registrationWire(c, ctx, fresh), 400);
  };

  if ((row.data as RegistrationData).completed) {
    addMessage(
      ui,
      text.validationGeneric("This registration flow was already completed. Please start a new one."),
    );
    return fail();
  }
  if (await currentSession(c, ctx)) {
    addMessage(
      ui,
      text.validationGeneric("A valid session was detected and thus registration is not possible."),
    );
    return fail();
  }
  if (isOidcSubmit(body)) return submitOidcRegistration(c, ctx, row, body);
  const method = str(body, "method") ?? "password";
  if (isCodeRegistration(ctx, body)) {
    return submitCodeRegistration(c, ctx, row, body, ui, (r) => registrationWire(c, ctx, r));
  }
  // Registration strategies (passkey): by `method`, or by the field Kratos' script fills (no `method`).
  const strategies = registrationStrategies(ctx);
  const strategy =
    str(body, "method") === undefined
      ? strategies.find((s) => s.claims?.(body))
      : strategyFor(strategies, method);
  if (strategy) return runStrategy(c, ctx, row, body, ui, strategy);
  if (method !== "password" && method !== "profile") {
    addMessage(
      ui,
      text.validationGeneric(
        `Could not find a strategy to sign you up with "${method}". Did you fill out the form correctly?`,
      ),
    );
    return fail();
  }
  const captcha = await verifyCaptcha(ctx, c, "registration", body);
  if (captcha) {
    addMessage(ui, captcha);
    return fail();
  }
  if (readOnly.length) {
    readOnlyErrorsToUi(ui, readOnly);
    return fail();
  }
  const errors = ctx.schemas.validate(schema, traits);
  if (errors.length) schemaErrorsToUi(ui, errors);
  const password = str(body, "password") ?? "";
  if (!password) {
    addNodeMessage(ui, "password", text.validationRequired("password"));
  }
  if (errors.length || !password) return fail();
  const extracted = ctx.schemas.extract(schema, traits);
  if (!extracted.passwordIdentifiers.length) {
    addMessage(
      ui,
      text.validationGeneric(
        "No login identifiers found. Did you forget to set them in the identity schema?",
      ),
    );
    return fail();
  }
  const policy = await checkPassword(ctx, password, extracted.passwordIdentifiers, row);
  if (policy) {
    addNodeMessage(ui, "password", policy);
    return fail();
  }
  return completeRegistration(c, ctx, row, ui, fail, {
    traits,
    transientPayload: body.transient_payload,
    // Hashed only once the web hooks let the registration through.
    credentials: async () => [
      { type: "password", config: { hashed_password: await ctx.hasher.hash(password) } },
    ],
    method: { method: "password", aal: "aal1" },
  });
}

/**
 * Hands a submission to a registration strategy. A refusal or a next step is shown again with the
 * strategy's state stored; an identity to create goes through the same completion as a password.
 */
async function runStrategy(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  body: Record<string, unknown>,
  ui: UiContainer,
  strategy: RegistrationStrategy,
): Promise<Response> {
  const flow = workingFlow<RegistrationData>(row);
  flow.ui = ui;
  const outcome = await strategy.submit(flow, body, { ctx, req: flowRequest(c, ctx) });
  const show = async (status: 200 | 400) => {
    const patch = { ui: flow.ui, state: flow.state, data: flow.data as Record<string, unknown> };
    await updateFlow(ctx.db, row.id, patch);
    const fresh: FlowRow = { ...row, ...patch, updatedAt: new Date() };
    return respondWithFlow(c, ctx, fresh, registrationWire(c, ctx, fresh), status);
  };
  if (outcome.type === "failed") {
    applyFailure(c, flow, outcome);
    return show(400);
  }
  if (outcome.type === "rerender") return show(outcome.status ?? 200);
  if (outcome.type === "redirect") {
    await show(200);
    return c.redirect(outcome.to, 303);
  }
  const schema = ctx.schemas.default;
  // The strategy has validated its traits; they are checked again here, where the identity is made.
  const errors = ctx.schemas.validate(schema, outcome.traits);
  if (errors.length) {
    schemaErrorsToUi(flow.ui, errors);
    return show(400);
  }
  // The strategy's changes to the flow (its used-up challenge) are kept whatever happens next.
  await updateFlow(ctx.db, row.id, { data: flow.data as Record<string, unknown> });
  const done = { ...row, data: flow.data as Record<string, unknown> };
  return completeRegistration(c, ctx, done, flow.ui, () => show(400), {
    traits: outcome.traits,
    transientPayload: body.transient_payload,
    credentials: async () => outcome.credentials,
    method: outcome.method,
  });
}

/**
 * Creates the identity with its credentials in one transaction — verification flows for its
 * addresses and, with the `session` hook, its session — completes the flow and answers.
 */
async function completeRegistration(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  ui: UiContainer,
  fail: () => Promise<Response>,
  input: {
    traits: Record<string, unknown>;
    transientPayload: unknown;
    credentials: () => Promise<CredentialInput[]>;
    method: AuthMethodEntry;
  },
): Promise<Response> {
  const schema = ctx.schemas.default;
  // Web hooks run before anything is saved: they may refuse, or change traits and metadata.
  const hooked = await registrationHooks(c, ctx, row, {
    method: input.method.method,
    schema,
    traits: input.traits,
    transientPayload: input.transientPayload,
  });
  if (hooked.type === "failed") {
    showRefusal(ui, hooked);
    return fail();
  }
  const credentials = await input.credentials();
  const after = afterHooks(ctx, input.method.method === "passkey" ? "passkey" : "password");
  const verificationEnabled = ctx.config.selfservice.flows.verification.enabled;

  let result: {
    identityId: string;
    session?: Awaited<ReturnType<typeof issueSession>>;
    verification?: { flowId: string; url: string; address: string };
  };
  try {
    result = await ctx.db.transaction(async (tx) => {
      const identityId = await createIdentity(tx, ctx, {
        id: hooked.id,
        schema,
        traits: hooked.traits,
        metadataPublic: hooked.metadataPublic,
        metadataAdmin: hooked.metadataAdmin,
        credentials,
      });
      await queueWebHooks(tx, ctx, hooked.deferred);
      let verification: { flowId: string; url: string; address: string } | undefined;
      if (verificationEnabled) {
        for (const addr of ctx.schemas.extract(schema, hooked.traits).verifiable) {
          const v = await startVerification(tx, ctx, c, {
            identityId,
            address: addr.value,
            via: addr.via,
            type: row.type,
            returnTo: row.returnTo,
          });
          if (v && !verification) verification = { ...v, address: addr.value };
        }
      }
      const session = after.has("session")
        ? await issueSession(tx, ctx, {
            identityId,
            methods: [
              {
                method: input.method.method,
                aal: input.method.aal,
                ...(input.method.amr ? { amr: input.method.amr } : {}),
              },
            ],
            c,
          })
        : undefined;
      await updateFlow(tx, row.id, { data: { ...row.data, completed: true }, identityId });
      return { identityId, session, verification };
    });
  } catch (e) {
    if (e instanceof OryError && e.code === 409) {
      addMessage(ui, text.duplicateCredentials());
      return fail();
    }
    throw e;
  }
  ctx.notifyCourier();
  await audit(ctx, c, {
    event: "registration.succeeded",
    actor: result.identityId,
    target: result.identityId,
    metadata: { method: input.method.method },
  });
  const identity = (await loadIdentity(ctx.db, result.identityId))!;
  const identityWire = identityToWire(ctx, identity);
  const continueWith: Record<string, unknown>[] = [];
  if (result.verification && (after.has("show_verification_ui") || row.type === "api")) {
    continueWith.push({
      action: "show_verification_ui",
      flow: {
        id: result.verification.flowId,
        verifiable_address: result.verification.address,
        ...(row.type === "browser" ? { url: result.verification.url } : {}),
      },
    });
  }
  const next = row.returnTo ?? ctx.config.selfservice.default_browser_return_url;
  if (row.type === "api") {
    if (result.session) {
      continueWith.unshift({ action: "set_ory_session_token", ory_session_token: result.session.token });
    }
    return c.json({
      identity: identityWire,
      ...(result.session
        ? { session: sessionToWire(ctx, result.session.row, identity), session_token: result.session.token }
        : {}),
      continue_with: continueWith,
    });
  }
  if (result.session) setSessionCookie(c, ctx, result.session.token, result.session.row.expiresAt);
  if (isJsonRequest(c)) {
    continueWith.push({ action: "redirect_browser_to", redirect_browser_to: next });
    return c.json({
      identity: identityWire,
      ...(result.session ? { session: sessionToWire(ctx, result.session.row, identity) } : {}),
      continue_with: continueWith,
    });
  }
  const verificationUrl = continueWith.find((x) => x.action === "show_verification_ui") as
    | { flow: { url?: string } }
    | undefined;
  return c.redirect(verificationUrl?.flow.url ?? next, 303);
}

export function registerRegistrationRoutes(app: Hono, ctx: AppContext): void {
  app.get("/self-service/registration/browser", (c) => initRegistration(c, ctx, "browser"));
  app.get("/self-service/registration/api", (c) => initRegistration(c, ctx, "api"));
  app.get("/self-service/registration/flows", async (c) => {
    const row = await fetchFlowForRead(c, ctx, "registration");
    return c.json(registrationWire(c, ctx, row));
  });
  app.post("/self-service/registration", (c) => submitRegistration(c, ctx));
}
