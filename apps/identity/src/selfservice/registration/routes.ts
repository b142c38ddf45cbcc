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
import { audit } from "../../security/audit.ts";
import { verifyCaptcha, withCaptcha } from "../../security/captcha.ts";

interface RegistrationData {
  completed?: boolean;
  login_challenge?: string;
}

function registrationUi(ctx: AppContext, traits?: Record<string, unknown>): Omit<UiContainer, "action"> {
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
    // The method a two-step flow is in (Kratos' `active`): UIs show the code form while it is `code`.
    ...(row.state === "sent_email" ? { active: "code" } : {}),
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
  const row = await createFlow(c, ctx, {
    kind: "registration",
    type,
    state: "choose_method",
    ui: registrationUi(ctx),
    returnTo,
    data: c.req.query("login_challenge") ? { login_challenge: c.req.query("login_challenge") } : {},
    csrfHash: csrfForNewFlow(c, ctx, type),
  });
  return respondWithFlow(c, ctx, row, registrationWire(c, ctx, row));
}

function afterHooks(ctx: AppContext): Set<string> {
  const after = ctx.config.selfservice.flows.registration.after;
  const list = after.password?.hooks?.length ? after.password.hooks : after.hooks;
  return new Set(list.map((h) => h.hook));
}

async function submitRegistration(c: Context, ctx: AppContext): Promise<Response> {
  if (!ctx.config.selfservice.flows.registration.enabled) throw flowDisabled("registration");
  const body = await readBody(c);
  const row = await fetchFlowForSubmit(c, ctx, "registration", body);
  if (row.expiresAt <= new Date()) {
    const ui = registrationUi(ctx);
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
  // Web hooks run before anything is saved: they may refuse, or change traits and metadata.
  const hooked = await registrationHooks(c, ctx, row, {
    method: "password",
    schema,
    traits,
    transientPayload: body.transient_payload,
  });
  if (hooked.type === "failed") {
    showRefusal(ui, hooked);
    return fail();
  }
  const hashed = await ctx.hasher.hash(password);
  const after = afterHooks(ctx);
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
        credentials: [{ type: "password", config: { hashed_password: hashed } }],
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
        ? await issueSession(tx, ctx, { identityId, methods: [{ method: "password" }], c })
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
