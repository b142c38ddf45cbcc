import { timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import type { OidcProviderConfig } from "../../config/oidc.ts";
import { OryError } from "../../errors/index.ts";
import { isJsonRequest } from "../../http/request.ts";
import { createIdentity, type FullIdentity, loadIdentity } from "../../identity/repository.ts";
import { audit } from "../../audit/audit.ts";
import { randomAlnum } from "../../security/random.ts";
import { type ActiveSession, currentSession, issueSession, setSessionCookie } from "../../session/session.ts";
import { createFlow, uiUrl } from "../flow/common.ts";
import { startVerification } from "../verification/flow.ts";
import { type FlowRow, updateFlow } from "../flow/repository.ts";
import {
  coerceTraits,
  enforceReadOnly,
  readOnlyErrorsToUi,
  schemaErrorsToUi,
  traitNodes,
} from "../flow/traits.ts";
import { addMessage, csrfNode, inputNode, type UiContainer, type UiNode } from "../flow/ui.ts";
import {
  allMessages,
  queueWebHooks,
  registrationHooks,
  saveSettingsChange,
  showRefusal,
} from "../hook/index.ts";
import {
  AlreadyLinked,
  addOidcProvider,
  findOidcOwner,
  linkedProviders,
  type OidcProviderEntry,
  oidcIdentifier,
  providerEntry,
  removeOidcProvider,
  waysInWithout,
} from "./credential.ts";
import { type Mapped, mapProviderClaims } from "./mapping.ts";
import { providerLabel } from "./presets.ts";
import type { UiText } from "../flow/text.ts";
import type { AuthMethodEntry, LoginStrategy } from "../strategy/types.ts";
import { oidcText } from "./text.ts";
import { authorizationRequest, completeAuthorization, UpstreamError } from "./upstream.ts";

/*
 * The `oidc` method across the flows, as Kratos runs it: a submit with `provider` (login,
 * registration) or `link`/`unlink` (settings) sends the browser to the upstream with state, nonce and
 * PKCE kept on the flow; the callback checks them (and that the same browser returns: the flow's CSRF
 * cookie), then signs in, registers, or links. A first sign-in registers; traits the schema refuses
 * bring back the registration form; an address that belongs to another account is never taken over —
 * the user signs in there and the provider is linked afterwards.
 */

type Kind = "login" | "registration" | "settings";

/** The state on the flow between the redirect to the upstream and its callback. */
interface OidcStart {
  provider: string;
  state: string;
  nonce?: string;
  code_verifier?: string;
  started_at: string;
}

/** An upstream identity waiting for the registration form (traits the schema refused). */
interface OidcPending {
  provider: string;
  subject: string;
  entry: OidcProviderEntry;
  verified: string[];
  metadata_public?: Record<string, unknown>;
  metadata_admin?: Record<string, unknown>;
}

/** An upstream identity to link after the user signs in to the account that owns its address. */
export interface OidcLinkPending {
  entry: OidcProviderEntry;
  identifier: string;
}

/** Configured providers (none when the method is disabled). */
export function oidcProviders(ctx: AppContext): OidcProviderConfig[] {
  const m = ctx.config.selfservice.methods.oidc;
  return m.enabled ? m.config.providers : [];
}

export function findProvider(ctx: AppContext, id: unknown): OidcProviderConfig | undefined {
  return typeof id === "string" ? oidcProviders(ctx).find((p) => p.id === id) : undefined;
}

/** Where the upstream sends the browser back: Kratos' path under the public (or configured) base URL. */
export function redirectUri(ctx: AppContext, providerId: string): string {
  const base = ctx.config.selfservice.methods.oidc.config.base_redirect_uri ?? ctx.rt.publicBaseUrl;
  return urlJoin(base, `self-service/methods/oidc/callback/${providerId}`);
}

export function oidcLoginNodes(ctx: AppContext): UiNode[] {
  return oidcProviders(ctx).map((p) =>
    inputNode("oidc", "provider", "submit", {
      value: p.id,
      label: oidcText.signInWith(providerLabel(p), p.id),
    }),
  );
}

export function oidcRegistrationNodes(ctx: AppContext): UiNode[] {
  return oidcProviders(ctx).map((p) =>
    inputNode("oidc", "provider", "submit", {
      value: p.id,
      label: oidcText.signUpWith(providerLabel(p), p.id),
    }),
  );
}

/** Settings: `unlink` for linked providers (not when it is the last way in), `link` for the others. */
export function oidcSettingsNodes(ctx: AppContext, identity: FullIdentity): UiNode[] {
  const linked = new Set(linkedProviders(identity).map((l) => l.provider));
  const out: UiNode[] = [];
  for (const p of oidcProviders(ctx)) {
    const label = providerLabel(p);
    if (!linked.has(p.id)) {
      out.push(inputNode("oidc", "link", "submit", { value: p.id, label: oidcText.link(label, p.id) }));
    } else if (waysInWithout(identity, p.id) > 0) {
      out.push(inputNode("oidc", "unlink", "submit", { value: p.id, label: oidcText.unlink(label, p.id) }));
    }
  }
  return out;
}

/** Whether a submission is for the oidc method (elements-react may send only the `provider` button). */
export function isOidcSubmit(body: Record<string, unknown>): boolean {
  const method = body.method;
  if (method === "oidc") return true;
  return (
    method === undefined &&
    (typeof body.provider === "string" || typeof body.link === "string" || typeof body.unlink === "string")
  );
}

const flowUiUrl = (ctx: AppContext, row: FlowRow) => `${uiUrl(ctx, row.kind)}?flow=${row.id}`;

function browserLocationChange(c: Context, url: string): Response {
  return c.json(
    new OryError(422, "browser location change required", {
      id: "browser_location_change_required",
      reason: `In order to complete this flow please redirect the browser to: ${url}`,
      extra: { redirect_browser_to: url },
    }).toBody(),
    422,
  );
}

/**
 * Prepares the redirect to the upstream for a flow: the authorization URL, and the state to keep on
 * the flow until the callback. A provider that is unknown, or not reachable, is a message instead.
 */
export async function beginOidc(
  ctx: AppContext,
  row: Pick<FlowRow, "id" | "kind" | "type">,
  providerId: unknown,
): Promise<{ ok: false; message: UiText } | { ok: true; url: string; start: OidcStart }> {
  const provider = findProvider(ctx, providerId);
  if (!provider)
    return { ok: false, message: oidcText.unknownProvider(String(providerId ?? "").slice(0, 64)) };
  if (row.type !== "browser") return { ok: false, message: oidcText.needsBrowser() };
  const state = `${row.kind}.${row.id}.${randomAlnum(32)}`;
  try {
    const request = await authorizationRequest(provider, {
      state,
      redirectUri: redirectUri(ctx, provider.id),
      publicBaseUrl: ctx.rt.publicBaseUrl,
    });
    const start: OidcStart = {
      provider: provider.id,
      state,
      ...(request.nonce ? { nonce: request.nonce } : {}),
      ...(request.codeVerifier ? { code_verifier: request.codeVerifier } : {}),
      started_at: new Date().toISOString(),
    };
    return { ok: true, url: request.url, start };
  } catch (e) {
    const err =
      e instanceof UpstreamError ? e : new UpstreamError("unreachable", "The provider could not be reached.");
    ctx.log.warn("oidc: upstream not usable", {
      provider: provider.id,
      kind: err.kind,
      detail: err.detail ?? err.message,
    });
    return { ok: false, message: oidcText.failed(providerLabel(provider), err.kind, err.message) };
  }
}

/**
 * Starts the redirect dance from a submitted flow (registration, settings). `fail` re-renders the
 * flow with a message (the caller's 400 answer); on success the browser goes to the upstream (303, or
 * 422 with redirect_browser_to for JSON clients, as Kratos answers SPAs).
 */
export async function startOidc(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  providerId: unknown,
  ui: UiContainer,
  fail: (ui: UiContainer) => Promise<Response>,
): Promise<Response> {
  const begun = await beginOidc(ctx, row, providerId);
  if (!begun.ok) {
    addMessage(ui, begun.message);
    return fail(ui);
  }
  await updateFlow(ctx.db, row.id, { data: { ...row.data, oidc: begun.start } });
  if (isJsonRequest(c)) return browserLocationChange(c, begun.url);
  return c.redirect(begun.url, 303);
}

/** The `oidc` login strategy: a provider button per configured provider; a submit goes upstream. */
export const oidcLogin: LoginStrategy = {
  id: "oidc",
  group: "oidc",
  aal: "aal1",
  // RFC 8176 has no value for a federated sign-in; "fed" is what Microsoft's and others' tokens carry.
  amr: "fed",
  nodes(flow, { ctx }) {
    // A refresh of a session is offered to the providers the identity has linked, like Kratos does.
    void flow;
    return oidcLoginNodes(ctx);
  },
  async submit(flow, body, { ctx }) {
    const begun = await beginOidc(ctx, flow.row, body.provider);
    if (!begun.ok) return { type: "failed", messages: [begun.message] };
    flow.data.oidc = begun.start;
    return { type: "redirect", to: begun.url };
  },
};

/** Settings: `link` starts the dance; `unlink` removes the provider unless it is the last way in. */
export async function submitOidcSettings(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
  body: Record<string, unknown>,
  ui: UiContainer,
  fail: (ui: UiContainer) => Promise<Response>,
  done: (identity: FullIdentity) => Promise<Response>,
): Promise<Response> {
  if (typeof body.link === "string") return startOidc(c, ctx, row, body.link, ui, fail);
  const provider = findProvider(ctx, body.unlink);
  if (!provider) {
    addMessage(ui, oidcText.unknownProvider(String(body.unlink ?? "").slice(0, 64)));
    return fail(ui);
  }
  const identity = session.identity;
  const label = providerLabel(provider);
  if (!linkedProviders(identity).some((l) => l.provider === provider.id)) {
    addMessage(ui, oidcText.notLinked(label));
    return fail(ui);
  }
  if (waysInWithout(identity, provider.id) === 0) {
    addMessage(ui, oidcText.lastWayIn(label));
    return fail(ui);
  }
  const saved = await saveSettingsChange(c, ctx, { row, identity, method: "oidc" }, (tx) =>
    removeOidcProvider(tx, identity.identity.id, provider.id),
  );
  if (saved.type === "refused") {
    showRefusal(ui, saved.refusal);
    return fail(ui);
  }
  const id = identity.identity.id;
  await audit(ctx, c, {
    event: "settings.oidc.unlinked",
    actor: id,
    target: id,
    metadata: { provider: provider.id, flow_id: row.id },
  });
  return done((await loadIdentity(ctx.db, id))!);
}

// ---------------------------------------------------------------------------------------------------
// The callback
// ---------------------------------------------------------------------------------------------------

export interface CallbackDeps {
  /** The login flow's completion: the session issued (or refreshed), the OAuth2 challenge, the answer. */
  authenticated: (
    c: Context,
    ctx: AppContext,
    row: FlowRow,
    identity: FullIdentity,
    method: AuthMethodEntry,
  ) => Promise<Response>;
  /** settings: re-renders the settings flow as saved, for the identity as it now is. */
  settingsDone: (c: Context, ctx: AppContext, row: FlowRow, identity: FullIdentity) => Promise<Response>;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Puts a message on the flow and sends the browser to the flow's UI. */
async function flowMessage(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  message: ReturnType<typeof oidcText.failed>,
) {
  const ui: UiContainer = { ...row.ui, messages: [message] };
  const { oidc: _done, ...data } = row.data as Record<string, unknown>;
  await updateFlow(ctx.db, row.id, { ui, data });
  return c.redirect(flowUiUrl(ctx, row), 303);
}

async function failed(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  provider: OidcProviderConfig | undefined,
  err: UpstreamError,
): Promise<Response> {
  ctx.log.info("oidc: callback refused", { provider: provider?.id, kind: err.kind, detail: err.detail });
  await audit(ctx, c, {
    event: "oidc.failed",
    actor: "anonymous",
    target: row.identityId ?? null,
    metadata: { provider: provider?.id ?? null, kind: err.kind, flow_id: row.id, flow: row.kind },
  });
  return flowMessage(
    c,
    ctx,
    row,
    oidcText.failed(provider ? providerLabel(provider) : "the provider", err.kind, err.message),
  );
}

/** A state that names no flow: the browser lands on the error page (nothing to put a message on). */
function noFlow(reason: string): OryError {
  return new OryError(400, "The request was malformed or contained invalid parameters", {
    reason,
  });
}

async function loadFlow(ctx: AppContext, state: string | null): Promise<FlowRow | undefined> {
  if (!state || state.length > 200) return undefined;
  const [kind, id] = state.split(".");
  if (kind !== "login" && kind !== "registration" && kind !== "settings") return undefined;
  const { findFlow } = await import("../flow/repository.ts");
  return findFlow(ctx.db, kind, id);
}

/** GET (and POST, for providers that post back) /self-service/methods/oidc/callback/{provider}. */
export async function handleCallback(c: Context, ctx: AppContext, deps: CallbackDeps): Promise<Response> {
  const params = new URL(c.req.url).searchParams;
  const providerId = c.req.param("provider");
  const row = await loadFlow(ctx, params.get("state"));
  if (!row) throw noFlow("The sign-in answer names no sign-in attempt of this browser. Please start again.");
  const start = (row.data as { oidc?: OidcStart }).oidc;
  const provider = findProvider(ctx, providerId);
  if (
    !start ||
    !provider ||
    start.provider !== provider.id ||
    !sameString(start.state, params.get("state") ?? "")
  ) {
    return failed(
      c,
      ctx,
      row,
      provider,
      new UpstreamError(
        "state_mismatch",
        "The sign-in answer does not belong to this sign-in attempt. Please try again.",
      ),
    );
  }
  // The same browser must come back: the flow is bound to its CSRF cookie (login CSRF otherwise).
  const { verifyCsrfCookie } = await import("../../security/csrf.ts");
  try {
    verifyCsrfCookie(c, ctx.rt, row.csrfHash);
  } catch {
    return failed(
      c,
      ctx,
      row,
      provider,
      new UpstreamError(
        "state_mismatch",
        "This sign-in was started in another browser. Please start again here.",
      ),
    );
  }
  if (row.expiresAt <= new Date()) {
    return failed(
      c,
      ctx,
      row,
      provider,
      new UpstreamError("upstream_error", "The sign-in took too long. Please start again."),
    );
  }
  // One use: a replayed callback finds no state.
  const { oidc: _used, ...rest } = row.data as Record<string, unknown>;
  await updateFlow(ctx.db, row.id, { data: rest });
  const flow: FlowRow = { ...row, data: rest };

  let upstream: Awaited<ReturnType<typeof completeAuthorization>>;
  try {
    upstream = await completeAuthorization(provider, {
      params,
      redirectUri: redirectUri(ctx, provider.id),
      publicBaseUrl: ctx.rt.publicBaseUrl,
      state: start.state,
      nonce: start.nonce,
      codeVerifier: start.code_verifier,
    });
  } catch (e) {
    const err =
      e instanceof UpstreamError
        ? e
        : new UpstreamError("token_exchange_failed", "The provider's answer could not be used.", String(e));
    return failed(c, ctx, flow, provider, err);
  }
  const kind = flow.kind as Kind;
  if (kind === "settings") return linkFromSettings(c, ctx, flow, provider, upstream, deps);
  const owner = await findOidcOwner(ctx.db, provider.id, upstream.subject);
  if (owner) return signIn(c, ctx, flow, provider, owner.identityId, deps);
  return register(c, ctx, flow, provider, upstream, deps);
}

// ---------------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------------

/** A login flow to finish on: the flow itself, or a new one carrying a registration flow's return. */
async function asLoginFlow(c: Context, ctx: AppContext, row: FlowRow): Promise<FlowRow> {
  if (row.kind === "login") return row;
  const challenge = (row.data as { login_challenge?: string }).login_challenge;
  let oauth2Request: Record<string, unknown> | undefined;
  if (challenge) oauth2Request = await ctx.hydra.getLoginRequest(challenge);
  return createFlow(c, ctx, {
    kind: "login",
    type: "browser",
    state: "choose_method",
    ui: { method: "POST", nodes: [csrfNode(), ...oidcLoginNodes(ctx)] },
    returnTo: row.returnTo ?? undefined,
    csrfHash: row.csrfHash,
    data: challenge ? { oauth2_login_challenge: challenge, oauth2_login_request: oauth2Request } : {},
  });
}

async function signIn(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  provider: OidcProviderConfig,
  identityId: string,
  deps: CallbackDeps,
): Promise<Response> {
  const identity = await loadIdentity(ctx.db, identityId);
  if (!identity) {
    return failed(
      c,
      ctx,
      row,
      provider,
      new UpstreamError("profile_failed", "The linked account no longer exists."),
    );
  }
  if (identity.identity.state !== "active") {
    return flowMessage(c, ctx, row, {
      ...oidcText.failed(
        providerLabel(provider),
        "account_disabled",
        "Your account is disabled. Please contact support.",
      ),
      id: 4010011,
    });
  }
  const login = await asLoginFlow(c, ctx, row);
  const existing = await currentSession(c, ctx);
  if (
    (login.data as { refresh?: boolean }).refresh &&
    existing &&
    existing.identity.identity.id !== identityId
  ) {
    return flowMessage(
      c,
      ctx,
      login,
      oidcText.failed(
        providerLabel(provider),
        "identity_mismatch",
        "You signed in with an account other than the one of this session.",
      ),
    );
  }
  return deps.authenticated(c, ctx, login, identity, { method: "oidc", aal: "aal1", provider: provider.id });
}

function afterHooks(ctx: AppContext): Set<string> {
  const after = ctx.config.selfservice.flows.registration.after;
  const list = after.oidc?.hooks?.length ? after.oidc.hooks : after.hooks;
  return new Set(list.map((h) => h.hook));
}

/** The registration form for an upstream identity the schema refused: its traits, and its provider button. */
function pendingUi(
  ctx: AppContext,
  provider: OidcProviderConfig,
  traits: Record<string, unknown>,
): UiContainer {
  return {
    action: "",
    method: "POST",
    nodes: [
      csrfNode(),
      ...traitNodes(ctx.schemas.default, "oidc", traits, { readOnly: "omit" }),
      inputNode("oidc", "provider", "submit", {
        value: provider.id,
        label: oidcText.signUpWith(providerLabel(provider), provider.id),
      }),
    ],
    messages: [oidcText.completeProfile(providerLabel(provider))],
  };
}

async function register(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  provider: OidcProviderConfig,
  upstream: Awaited<ReturnType<typeof completeAuthorization>>,
  deps: CallbackDeps,
): Promise<Response> {
  if (!ctx.config.selfservice.flows.registration.enabled) {
    return flowMessage(c, ctx, row, oidcText.noAccount(providerLabel(provider)));
  }
  let mapped: Mapped;
  try {
    mapped = await mapProviderClaims(provider, upstream.claims);
  } catch (e) {
    // The mapper's own message (line, cause) is for the operator's log, never for the browser.
    ctx.log.error("oidc: mapping failed", { provider: provider.id, error: String(e) });
    return failed(
      c,
      ctx,
      row,
      provider,
      new UpstreamError("misconfigured", "The provider's profile could not be mapped to an account."),
    );
  }
  const reg =
    row.kind === "registration"
      ? row
      : await createFlow(c, ctx, {
          kind: "registration",
          type: "browser",
          state: "choose_method",
          ui: { method: "POST", nodes: [csrfNode()] },
          returnTo: row.returnTo ?? undefined,
          csrfHash: row.csrfHash,
          data: {},
        });
  const pending: OidcPending = {
    provider: provider.id,
    subject: upstream.subject,
    entry: providerEntry(ctx, provider.id, upstream.subject, upstream.tokens),
    verified: [...mapped.verified],
    ...(mapped.metadataPublic ? { metadata_public: mapped.metadataPublic } : {}),
    ...(mapped.metadataAdmin ? { metadata_admin: mapped.metadataAdmin } : {}),
  };
  return createFromPending(c, ctx, reg, provider, pending, mapped.traits, deps);
}

/**
 * Creates the identity for an upstream account, or shows what is missing: the registration form when
 * the schema refuses the traits, the account-linking login when the address is another account's.
 */
async function createFromPending(
  c: Context,
  ctx: AppContext,
  reg: FlowRow,
  provider: OidcProviderConfig,
  pending: OidcPending,
  traits: Record<string, unknown>,
  deps: CallbackDeps,
  fromForm?: { readOnly: string[]; fail: (ui: UiContainer) => Promise<Response> },
): Promise<Response> {
  const schema = ctx.schemas.default;
  const errors = ctx.schemas.validate(schema, traits);
  if (errors.length || fromForm?.readOnly.length) {
    const ui = pendingUi(ctx, provider, traits);
    ui.action = reg.ui.action;
    if (fromForm) {
      // Sent back: field messages say what is still missing.
      ui.messages = [];
      readOnlyErrorsToUi(ui, fromForm.readOnly);
      schemaErrorsToUi(ui, errors);
      return fromForm.fail(ui);
    }
    schemaErrorsToUi(ui, errors);
    await updateFlow(ctx.db, reg.id, { ui, data: { ...reg.data, oidc_pending: pending } });
    return c.redirect(flowUiUrl(ctx, reg), 303);
  }
  // registration.after.oidc web hooks, before anything is saved (as for the other methods): a hook may
  // refuse (the registration form shows its messages), or change traits and metadata.
  const hooked = await registrationHooks(c, ctx, reg, { method: "oidc", schema, traits });
  if (hooked.type === "failed") {
    const ui = pendingUi(ctx, provider, traits);
    ui.action = reg.ui.action;
    ui.messages = [];
    showRefusal(ui, hooked);
    if (fromForm) return fromForm.fail(ui);
    await updateFlow(ctx.db, reg.id, { ui, data: { ...reg.data, oidc_pending: pending } });
    return c.redirect(flowUiUrl(ctx, reg), 303);
  }
  traits = hooked.traits;
  const extracted = ctx.schemas.extract(schema, traits);
  const after = afterHooks(ctx);
  const verified = new Set(pending.verified);
  let result: {
    identityId: string;
    session?: Awaited<ReturnType<typeof issueSession>>;
    verificationUrl?: string;
  };
  try {
    result = await ctx.db.transaction(async (tx) => {
      const identityId = await createIdentity(tx, ctx, {
        id: hooked.id,
        schema,
        traits,
        metadataPublic: hooked.metadataPublic ?? pending.metadata_public,
        metadataAdmin: hooked.metadataAdmin ?? pending.metadata_admin,
        credentials: [
          {
            type: "oidc",
            config: { providers: [pending.entry] },
            identifiers: [oidcIdentifier(pending.provider, pending.subject)],
          },
        ],
        verifiedAddresses: verified,
      });
      await queueWebHooks(tx, ctx, hooked.deferred);
      let verificationUrl: string | undefined;
      if (ctx.config.selfservice.flows.verification.enabled) {
        for (const addr of extracted.verifiable) {
          if (verified.has(addr.value)) continue;
          const v = await startVerification(tx, ctx, c, {
            identityId,
            address: addr.value,
            via: addr.via,
            type: "browser",
            returnTo: reg.returnTo,
          });
          if (v && !verificationUrl) verificationUrl = v.url;
        }
      }
      const session = after.has("session")
        ? await issueSession(tx, ctx, {
            identityId,
            methods: [{ method: "oidc", provider: pending.provider }],
            c,
          })
        : undefined;
      const { oidc_pending: _done, ...data } = reg.data as Record<string, unknown>;
      await updateFlow(tx, reg.id, { data: { ...data, completed: true }, identityId });
      return { identityId, session, verificationUrl };
    });
  } catch (e) {
    if (e instanceof OryError && e.code === 409) return offerLinking(c, ctx, reg, provider, pending, traits);
    throw e;
  }
  ctx.notifyCourier();
  await audit(ctx, c, {
    event: "registration.succeeded",
    actor: result.identityId,
    target: result.identityId,
    metadata: { method: "oidc", provider: provider.id },
  });
  void deps;
  if (result.session) setSessionCookie(c, ctx, result.session.token, result.session.row.expiresAt);
  const next =
    reg.returnTo ??
    ctx.config.selfservice.flows.registration.after.oidc?.default_browser_return_url ??
    ctx.config.selfservice.default_browser_return_url;
  const to = after.has("show_verification_ui") && result.verificationUrl ? result.verificationUrl : next;
  if (isJsonRequest(c)) {
    return c.json({ continue_with: [{ action: "redirect_browser_to", redirect_browser_to: to }] });
  }
  return c.redirect(to, 303);
}

/**
 * The upstream's address belongs to another account: nothing is created or linked. A login flow asks
 * the user to sign in to that account; once they have, the provider is linked to it (Kratos 1010016).
 */
async function offerLinking(
  c: Context,
  ctx: AppContext,
  reg: FlowRow,
  provider: OidcProviderConfig,
  pending: OidcPending,
  traits: Record<string, unknown>,
): Promise<Response> {
  const extracted = ctx.schemas.extract(ctx.schemas.default, traits);
  const identifier = extracted.passwordIdentifiers[0] ?? extracted.verifiable[0]?.value ?? "";
  const { identifierLabel } = await import("../flow/traits.ts");
  const { text } = await import("../flow/text.ts");
  const link: OidcLinkPending = { entry: pending.entry, identifier };
  const login = await createFlow(c, ctx, {
    kind: "login",
    type: "browser",
    state: "choose_method",
    ui: {
      method: "POST",
      nodes: [
        csrfNode(),
        inputNode("default", "identifier", "text", {
          value: identifier,
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
        ...oidcLoginNodes(ctx).filter((n) => n.attributes.value !== provider.id),
      ],
      messages: [oidcText.linkExisting(identifier, providerLabel(provider), provider.id)],
    },
    returnTo: reg.returnTo ?? undefined,
    csrfHash: reg.csrfHash,
    data: { oidc_link: link },
  });
  await audit(ctx, c, {
    event: "oidc.link_offered",
    actor: "anonymous",
    target: identifier,
    metadata: { provider: provider.id, login_flow_id: login.id },
  });
  return c.redirect(flowUiUrl(ctx, login), 303);
}

/**
 * Registration form submitted for a pending upstream identity (`method=oidc`, `provider`, traits):
 * the identity is created from the stored upstream account and the submitted traits.
 */
export async function submitPendingRegistration(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  body: Record<string, unknown>,
  deps: CallbackDeps,
  fail: (ui: UiContainer) => Promise<Response>,
): Promise<Response | undefined> {
  const pending = (row.data as { oidc_pending?: OidcPending }).oidc_pending;
  const provider = findProvider(ctx, body.provider);
  if (!pending || !provider || pending.provider !== provider.id || body.traits === undefined)
    return undefined;
  const schema = ctx.schemas.default;
  const { traits, violations } = enforceReadOnly(schema, coerceTraits(schema, body.traits), undefined);
  return createFromPending(c, ctx, row, provider, pending, traits, deps, { readOnly: violations, fail });
}

/** After a password login on a flow that offered linking: the provider joins the account signed in to. */
export async function linkAfterLogin(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  identityId: string,
): Promise<void> {
  const link = (row.data as { oidc_link?: OidcLinkPending }).oidc_link;
  if (!link) return;
  try {
    await ctx.db.transaction((tx) => addOidcProvider(tx, identityId, link.entry));
  } catch (e) {
    if (!(e instanceof AlreadyLinked)) throw e;
    return;
  }
  await audit(ctx, c, {
    event: "settings.oidc.linked",
    actor: identityId,
    target: identityId,
    metadata: { provider: link.entry.provider, via: "login", flow_id: row.id },
  });
}

async function linkFromSettings(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  provider: OidcProviderConfig,
  upstream: Awaited<ReturnType<typeof completeAuthorization>>,
  deps: CallbackDeps,
): Promise<Response> {
  const session = await currentSession(c, ctx);
  if (!session || session.identity.identity.id !== row.identityId) {
    return failed(
      c,
      ctx,
      row,
      provider,
      new UpstreamError(
        "state_mismatch",
        "The session that started linking has ended. Please sign in again.",
      ),
    );
  }
  const id = session.identity.identity.id;
  try {
    const saved = await saveSettingsChange(
      c,
      ctx,
      { row, identity: session.identity, method: "oidc" },
      (tx) => addOidcProvider(tx, id, providerEntry(ctx, provider.id, upstream.subject, upstream.tokens)),
    );
    if (saved.type === "refused") {
      // Back to the settings UI with the receiver's messages; nothing was linked.
      const { oidc: _done, ...data } = row.data as Record<string, unknown>;
      await updateFlow(ctx.db, row.id, { ui: { ...row.ui, messages: allMessages(saved.refusal) }, data });
      return c.redirect(flowUiUrl(ctx, row), 303);
    }
  } catch (e) {
    if (e instanceof AlreadyLinked)
      return flowMessage(c, ctx, row, oidcText.alreadyLinked(providerLabel(provider)));
    throw e;
  }
  await audit(ctx, c, {
    event: "settings.oidc.linked",
    actor: id,
    target: id,
    metadata: { provider: provider.id, flow_id: row.id },
  });
  return deps.settingsDone(c, ctx, row, (await loadIdentity(ctx.db, id))!);
}
