import type { AppContext } from "../../app/context.ts";
import type { Tx } from "../../db/client.ts";
import type { FullIdentity, CredentialInput } from "../../identity/repository.ts";
import type { ActiveSession } from "../../session/session.ts";
import type { Locked } from "../../security/lockout.ts";
import type { FlowRow } from "../flow/repository.ts";
import type { FlowRequest } from "../flow/request.ts";
import type { UiText } from "../flow/text.ts";
import type { UiContainer, UiNode, UiNodeGroup } from "../flow/ui.ts";

/*
 * Self-service methods, the Kratos shape: a flow (login, registration, settings) knows its lifecycle
 * (load, expiry, CSRF, answer in browser or JSON shape); a *strategy* knows one method (password, totp,
 * lookup_secret, profile, …): which UI nodes it adds to a flow and what a submission with
 * `method=<id>` means. The flow picks the strategy by the submitted `method`, asks it for an outcome,
 * and then runs the flow's post hooks (issue the session, show verification, accept an OAuth2 login).
 *
 * A new method is one object implementing the interface below, listed once in strategy/registry.ts;
 * it is enabled by `selfservice.methods.<id>.enabled`. See docs/architecture.md, "Adding a login method".
 */

/** A decoded form or JSON body. Every field is hostile: read with `str()` (flow/common.ts). */
export type Body = Record<string, unknown>;

/** What a strategy may use besides the flow: the core, the request record and the caller's session. */
export interface StrategyEnv {
  ctx: AppContext;
  req: FlowRequest;
  /** The request's active session, when there is one. */
  session?: ActiveSession;
}

/** A submission that did not get through: messages for the flow and its fields, the flow shown again (400). */
export interface FlowFailure {
  type: "failed";
  /** Messages on the flow's UI container. */
  messages?: UiText[];
  /** Messages on nodes, by node name (a name with no node puts the message on the container). */
  fields?: [name: string, message: UiText][];
  /** A lockout: JSON and API clients are told when to come back (Retry-After). */
  locked?: Locked;
}

/** The strategy changed the flow (its `ui`, `state` or `data`): store it and show it again. */
export interface FlowRerender {
  type: "rerender";
  /** 200 by default (e.g. "a code was sent"), 400 when the submission was refused. */
  status?: 200 | 400;
}

/** The browser must go elsewhere to continue (e.g. an OpenID Connect provider). */
export interface FlowRedirect {
  type: "redirect";
  to: string;
}

/** One entry of a session's `authentication_methods` (Kratos' AMR entry). */
export interface AuthMethodEntry {
  method: string;
  aal: "aal1" | "aal2";
  /** For methods backed by another party (OIDC provider id). */
  provider?: string;
  /** RFC 8176 values this sign-in earned, when they depend on it (a WebAuthn key: hwk or swk, user). */
  amr?: string[];
}

/** A flow as a strategy sees it during a submission. `ui`, `state` and `data` may be changed. */
export interface SubmitFlow<D> {
  readonly id: string;
  readonly type: "browser" | "api";
  readonly row: FlowRow;
  readonly expiresAt: Date;
  readonly returnTo: string | null;
  /** The identity the flow belongs to (aal2 login, settings), if any. */
  readonly identityId: string | null;
  /** A working copy of the flow's UI, messages cleared; stored when the flow is shown again. */
  ui: UiContainer;
  state: string;
  data: D;
}

/** A flow as a strategy sees it when the flow is created (no id yet). */
export interface DraftFlow<D> {
  readonly type: "browser" | "api";
  readonly data: D;
}

// ---------------------------------------------------------------------------------------------------
// Login

/** What a login flow keeps between requests. */
export interface LoginData {
  refresh?: boolean;
  requested_aal?: string;
  oauth2_login_challenge?: string;
  oauth2_login_request?: Record<string, unknown>;
  completed?: boolean;
  /** Strategies keep their own state under their id (e.g. `code: { address, sent_at }`). */
  [method: string]: unknown;
}

export type LoginFlow = SubmitFlow<LoginData>;

/** The identity proved who it is with this method. */
export interface LoginSuccess {
  type: "authenticated";
  identity: FullIdentity;
  /** The session's new `authentication_methods` entry. */
  method: AuthMethodEntry;
}

export type LoginOutcome = LoginSuccess | FlowFailure | FlowRerender | FlowRedirect;

export interface LoginStrategy {
  /** The method name: the `method` field of a submission, the session's AMR entry, `selfservice.methods.<id>`. */
  readonly id: string;
  /** The UI node group its nodes carry (Kratos' group; usually the id). */
  readonly group: UiNodeGroup;
  /**
   * The login step it serves: "aal1" methods sign in (password, code, passkey, oidc); "aal2" methods
   * are second factors on `?aal=aal2` flows for a signed-in identity (totp, lookup_secret).
   */
  readonly aal: "aal1" | "aal2";
  /** The OAuth2/OIDC `amr` value this method contributes when a login challenge is accepted. */
  readonly amr: string;
  /**
   * Whether a submission without `method` is for this strategy, told by its fields. Kratos' WebAuthn
   * script submits forms natively (no submit button, so no `method`) with its result field filled.
   */
  claims?(body: Body): boolean;
  /**
   * The nodes it adds to a new login flow (after the CSRF node, strategies in registry order; a
   * `default`-group node with a name already present, such as `identifier`, is added once).
   * `identity` is the flow's identity on aal2 flows and refresh flows. Return [] to offer nothing.
   */
  nodes(flow: DraftFlow<LoginData>, env: StrategyEnv & { identity?: FullIdentity }): UiNode[];
  /**
   * Handles `POST /self-service/login?flow=` with `method=<id>`. On aal2 flows `env.session` is the
   * session being upgraded (checked to belong to the flow). Never throws for bad input: a failure
   * is an outcome.
   */
  submit(flow: LoginFlow, body: Body, env: StrategyEnv): Promise<LoginOutcome>;
}

// ---------------------------------------------------------------------------------------------------
// Registration

export interface RegistrationData {
  completed?: boolean;
  login_challenge?: string;
  [method: string]: unknown;
}

export type RegistrationFlow = SubmitFlow<RegistrationData>;

/** The identity to create: traits (already validated against the schema) and the method's credential. */
export interface RegistrationSuccess {
  type: "register";
  traits: Record<string, unknown>;
  credentials: CredentialInput[];
  method: AuthMethodEntry;
}

export type RegistrationOutcome = RegistrationSuccess | FlowFailure | FlowRerender | FlowRedirect;

export interface RegistrationStrategy {
  readonly id: string;
  readonly group: UiNodeGroup;
  /** As LoginStrategy.claims: a submission without `method` this strategy recognises by its fields. */
  claims?(body: Body): boolean;
  nodes(flow: DraftFlow<RegistrationData>, env: StrategyEnv): UiNode[];
  submit(flow: RegistrationFlow, body: Body, env: StrategyEnv): Promise<RegistrationOutcome>;
}

// ---------------------------------------------------------------------------------------------------
// Settings

export type SettingsFlow = SubmitFlow<Record<string, unknown>>;

/** The change was written; `event` is the audit event, `revoked` the sessions it ended. */
export interface SettingsSuccess {
  type: "updated";
  event: string;
  revoked?: string[];
}

export type SettingsOutcome = SettingsSuccess | FlowFailure | FlowRerender | FlowRedirect;

/**
 * How a settings strategy writes its change: the method's after-settings web hooks run first (a
 * refusal comes back as the failure to answer with, and nothing is written), then `write` in one
 * transaction with their queued calls (not queued when `kept(result)` is false: nothing changed).
 */
export type SaveSettings = <T>(
  write: (tx: Tx) => Promise<T>,
  kept?: (result: T) => boolean,
) => Promise<{ type: "refused"; failure: FlowFailure } | { type: "saved"; value: T }>;

export interface SettingsStrategy {
  readonly id: string;
  readonly group: UiNodeGroup;
  /** Whether changing it needs a privileged (recently authenticated) session. */
  readonly privileged: boolean;
  /** As LoginStrategy.claims: a submission without `method` this strategy recognises by its fields. */
  claims?(body: Body): boolean;
  nodes(flow: DraftFlow<Record<string, unknown>>, env: StrategyEnv & { identity: FullIdentity }): UiNode[];
  submit(
    flow: SettingsFlow,
    body: Body,
    env: StrategyEnv & { session: ActiveSession; save: SaveSettings },
  ): Promise<SettingsOutcome>;
}
