import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import type { DbOrTx } from "../../db/client.ts";
import { OryError } from "../../errors/index.ts";
import { type FullIdentity, identityToWire } from "../../identity/repository.ts";
import type { IdentitySchema } from "../../identity/schemas.ts";
import type { ActiveSession } from "../../session/session.ts";
import {
  baseFlowWire,
  checkReturnTo,
  createFlow,
  csrfForNewFlow,
  type NewFlowInput,
  uiUrl,
} from "../flow/common.ts";
import { createFlowWithHooks } from "../hook/before.ts";
import type { FlowRow } from "../flow/repository.ts";
import { text, type UiText } from "../flow/text.ts";
import { traitNodes } from "../flow/traits.ts";
import { csrfNode, inputNode, type UiContainer, type UiNode } from "../flow/ui.ts";
import { flowRequest } from "../flow/request.ts";
import { oidcSettingsNodes } from "../oidc/strategy.ts";
import { mfaSettingsNodes } from "../mfa/settings.ts";
import type { SettingsStrategy } from "../strategy/types.ts";

/** The schema an identity was created with (the default one when it has since been removed). */
export function schemaOf(ctx: AppContext, identity: FullIdentity): IdentitySchema {
  return ctx.schemas.get(identity.identity.schemaId) ?? ctx.schemas.default;
}

/** The settings form: traits in group profile with their current values, then a new password. */
export function settingsUi(
  ctx: AppContext,
  identity: FullIdentity,
  traits: Record<string, unknown> = identity.identity.traits,
): Omit<UiContainer, "action"> {
  const methods = ctx.config.selfservice.methods;
  const nodes = [csrfNode()];
  if (methods.profile.enabled) {
    nodes.push(
      ...traitNodes(schemaOf(ctx, identity), "profile", traits, { readOnly: "disabled" }),
      inputNode("profile", "method", "submit", { value: "profile", label: text.labelSave() }),
    );
  }
  if (methods.password.enabled) {
    nodes.push(
      inputNode("password", "password", "password", {
        required: true,
        autocomplete: "new-password",
        label: text.labelPassword(),
      }),
      inputNode("password", "method", "submit", { value: "password", label: text.labelSave() }),
    );
  }
  nodes.push(...oidcSettingsNodes(ctx, identity));
  return { method: "POST", nodes };
}

/** The settings strategies the core's configuration enables (passkey, webauthn), in node order. */
export function settingsStrategies(ctx: AppContext): readonly SettingsStrategy[] {
  return ctx.strategies.settings;
}

/**
 * The node groups the settings strategies own: their own groups, and `webauthn` for the WebAuthn
 * script node that the passkey section carries too (Kratos puts it in that group).
 */
const STRATEGY_GROUPS = new Set(["passkey", "webauthn"]);

/**
 * The strategies' sections of a settings form for an identity. Each strategy keeps the state its
 * nodes need (a WebAuthn challenge) in `data`; the script node two sections share is added once.
 */
export function strategySettingsNodes(
  c: Context,
  ctx: AppContext,
  identity: FullIdentity,
  type: "browser" | "api",
  data: Record<string, unknown>,
): UiNode[] {
  const env = { ctx, req: flowRequest(c, ctx), identity };
  const nodes: UiNode[] = [];
  for (const s of settingsStrategies(ctx)) {
    for (const n of s.nodes({ type, data }, env)) {
      const id = n.attributes.id;
      if (n.type === "script" && nodes.some((m) => m.type === "script" && m.attributes.id === id)) continue;
      nodes.push(n);
    }
  }
  return nodes;
}

/** Keeps the strategies' sections of `from` in a rebuilt UI (e.g. after a profile validation error). */
export function keepStrategyNodes(from: UiContainer, nodes: UiNode[]): UiNode[] {
  return [
    ...nodes.filter((n) => !STRATEGY_GROUPS.has(n.group)),
    ...from.nodes.filter((n) => STRATEGY_GROUPS.has(n.group)),
  ];
}

/** Replaces a UI's strategy sections with fresh ones (new challenges, the keys as they are now). */
export function withStrategySettings(
  c: Context,
  ctx: AppContext,
  identity: FullIdentity,
  ui: UiContainer,
  flow: { type: "browser" | "api"; data: Record<string, unknown> },
): UiContainer {
  const fresh = strategySettingsNodes(c, ctx, identity, flow.type, flow.data);
  return { ...ui, nodes: [...ui.nodes.filter((n) => !STRATEGY_GROUPS.has(n.group)), ...fresh] };
}

/** The settings UI URL for a flow (where browsers are sent, and the default place to return to). */
export function settingsUiUrl(ctx: AppContext, flowId: string): string {
  return `${uiUrl(ctx, "settings")}?flow=${flowId}`;
}

/** The Kratos SettingsFlow wire shape: the common flow fields plus the identity and continue_with. */
export function settingsWire(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  identity: FullIdentity,
  continueWith?: Record<string, unknown>[],
): Record<string, unknown> {
  return {
    ...baseFlowWire(c, ctx, row),
    identity: identityToWire(ctx, identity),
    ...(continueWith?.length ? { continue_with: continueWith } : {}),
  };
}

// Kept apart (privileged.ts) so that the MFA settings, which this file renders, can ask it too.
export { isPrivileged } from "./privileged.ts";

/** The login URL that re-authenticates the session and comes back to the settings flow. */
export function refreshLoginUrl(ctx: AppContext, flowId: string, returnTo?: string): string {
  const params = new URLSearchParams({ refresh: "true", return_to: returnTo ?? settingsUiUrl(ctx, flowId) });
  return urlJoin(ctx.rt.publicBaseUrl, `self-service/login/browser?${params}`);
}

/**
 * Olympus-only: the page that confirms an account deletion, beside the settings UI (Hera's
 * /settings/delete). A person asked to sign in again before deleting comes back there, not to settings.
 */
export function deleteAccountUiUrl(ctx: AppContext, flowId: string): string {
  return `${uiUrl(ctx, "settings").replace(/\/$/, "")}/delete?flow=${flowId}`;
}

export function refreshRequired(ctx: AppContext, flowId: string, returnTo?: string): OryError {
  return new OryError(403, "The requested action was forbidden", {
    id: "session_refresh_required",
    reason:
      "The login session is too old and thus not allowed to update these fields. Please re-authenticate.",
    extra: { redirect_browser_to: refreshLoginUrl(ctx, flowId, returnTo) },
  });
}

export function identityMismatch(): OryError {
  return new OryError(403, "The requested action was forbidden", {
    id: "security_identity_mismatch",
    reason: "The request was made for another identity and has been blocked for security reasons.",
  });
}

/**
 * Where a browser without a session is sent: the login flow, returning to `returnTo` when the login
 * flow would accept it (Kratos carries over the original `return_to`).
 */
export function loginRedirectUrl(ctx: AppContext, returnTo: string | undefined): string {
  let target: string | undefined;
  if (returnTo) {
    try {
      target = checkReturnTo(ctx, returnTo);
    } catch {
      target = undefined;
    }
  }
  const login = urlJoin(ctx.rt.publicBaseUrl, "self-service/login/browser");
  return target ? `${login}?${new URLSearchParams({ return_to: target })}` : login;
}

export interface NewSettingsFlow {
  identity: FullIdentity;
  sessionId: string;
  type: "browser" | "api";
  returnTo?: string | null;
  messages?: UiText[];
  /** A flow the init endpoint creates: the `before` web hooks run first (hook/before.ts). */
  before?: boolean;
}

/** Creates a settings flow for a session's identity (also used by recovery to land on settings). */
export async function createSettingsFlow(
  c: Context,
  ctx: AppContext,
  input: NewSettingsFlow,
  db: DbOrTx = ctx.db,
): Promise<FlowRow> {
  const ui = settingsUi(ctx, input.identity);
  if (input.messages?.length) ui.messages = input.messages;
  const mfa = await mfaSettingsNodes(ctx, input.identity);
  ui.nodes.push(...mfa.nodes);
  ui.nodes.push(...strategySettingsNodes(c, ctx, input.identity, input.type, mfa.data));
  const flow: NewFlowInput = {
    kind: "settings",
    type: input.type,
    state: "show_form",
    ui,
    returnTo: input.returnTo ?? undefined,
    identityId: input.identity.identity.id,
    sessionId: input.sessionId,
    csrfHash: csrfForNewFlow(c, ctx, input.type),
    data: mfa.data,
  };
  return input.before
    ? createFlowWithHooks(c, ctx, flow, (r) => settingsWire(c, ctx, r, input.identity))
    : createFlow(c, ctx, flow, db);
}
