import type { Context } from "hono";
import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx, Tx } from "../../db/client.ts";
import { identityVerifiableAddresses, selfserviceFlows } from "../../db/schema.ts";
import { browserLocationChangeRequired, flowDisabled, OryError } from "../../errors/index.ts";
import { isJsonRequest } from "../../http/request.ts";
import { identityToWire, loadIdentity } from "../../identity/repository.ts";
import { type IssuedSession, issueSession, setSessionCookie } from "../../session/session.ts";
import { removeAllCredentials, revokeSessionsOf } from "../flow/address-proof.ts";
import {
  baseFlowWire,
  createFlow,
  csrfForNewFlow,
  type NewFlowInput,
  respondWithFlow,
} from "../flow/common.ts";
import { createFlowWithHooks } from "../hook/before.ts";
import { allMessages, completionHooks, type HookFailure, type HookRun } from "../hook/index.ts";
import { type QueuedCall, queueWebHooks } from "../hook/queue.ts";
import type { FlowRow } from "../flow/repository.ts";
import { text, type UiText } from "../flow/text.ts";
import { csrfNode, inputNode, type UiContainer, type UiNode } from "../flow/ui.ts";
import { createSettingsFlow, settingsUiUrl } from "../settings/flow.ts";
import { withCaptcha } from "../../security/captcha.ts";
import { CODE_LENGTH, deleteRecoveryCodes, mergeData } from "./codes.ts";

/** What a recovery flow keeps in `data` besides the atomic `submit_count`. */
export interface RecoveryData {
  address?: string;
  admin?: boolean;
  link_token_hash?: string;
  link_identity_id?: string;
  submit_count?: number;
}

function recoveryHooks(ctx: AppContext): Set<string> {
  return new Set(ctx.config.selfservice.flows.recovery.after.hooks.map((h) => h.hook));
}

export function ensureRecoveryEnabled(ctx: AppContext): void {
  if (!ctx.config.selfservice.flows.recovery.enabled) throw flowDisabled("recovery");
}

export const recoveryAlreadyLoggedIn = () =>
  new OryError(400, "The request was malformed or contained invalid parameters", {
    id: "session_already_available",
    reason: "A valid session was detected and thus recovery is not possible.",
  });

/** Step one: ask for the email address. */
export function chooseMethodUi(messages?: UiText[]): Omit<UiContainer, "action"> {
  return {
    method: "POST",
    nodes: [
      csrfNode(),
      inputNode("code", "email", "email", { required: true, label: text.labelEmail() }),
      inputNode("code", "method", "submit", { value: "code", label: text.labelContinue() }),
    ],
    ...(messages?.length ? { messages } : {}),
  };
}

function codeInput(): UiNode {
  return inputNode("code", "code", "text", {
    required: true,
    pattern: "[0-9]+",
    maxlength: CODE_LENGTH,
    autocomplete: "one-time-code",
    label: text.labelRecoveryCode(),
  });
}

/** Step two: the code input, and a resend button carrying the address (as Kratos renders it). */
export function sentEmailUi(email: string): Omit<UiContainer, "action"> {
  return {
    method: "POST",
    nodes: [
      csrfNode(),
      codeInput(),
      inputNode("code", "method", "hidden", { value: "code" }),
      inputNode("code", "method", "submit", { value: "code", label: text.labelContinue() }),
      inputNode("code", "email", "submit", { value: email, label: text.labelResendCode() }),
    ],
    messages: [text.recoveryCodeSent()],
  };
}

/** A flow an administrator created with a code: no address to resend to. */
export function adminCodeUi(): Omit<UiContainer, "action"> {
  return {
    method: "POST",
    nodes: [
      csrfNode(),
      codeInput(),
      inputNode("code", "method", "submit", { value: "code", label: text.labelContinue() }),
    ],
  };
}

/** The Kratos RecoveryFlow wire shape (`active` is always `code`). */
export function recoveryWire(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  continueWith?: Record<string, unknown>[],
): Record<string, unknown> {
  const base = baseFlowWire(c, ctx, row);
  // The captcha guards what sends mail: choosing the address (and resending).
  const ui =
    row.state === "passed_challenge" ? base.ui : withCaptcha(ctx, "recovery", base.ui as UiContainer);
  return {
    ...base,
    ui,
    active: "code",
    ...(continueWith?.length ? { continue_with: continueWith } : {}),
  };
}

export interface NewRecoveryFlow {
  type: "browser" | "api";
  returnTo?: string | null;
  messages?: UiText[];
  /** A flow the init endpoint creates: the `before` web hooks run first (hook/before.ts). */
  before?: boolean;
}

export async function createRecoveryFlow(
  c: Context,
  ctx: AppContext,
  input: NewRecoveryFlow,
  db: DbOrTx = ctx.db,
): Promise<FlowRow> {
  const flow: NewFlowInput = {
    kind: "recovery",
    type: input.type,
    state: "choose_method",
    ui: chooseMethodUi(input.messages),
    returnTo: input.returnTo ?? undefined,
    csrfHash: csrfForNewFlow(c, ctx, input.type),
  };
  return input.before
    ? createFlowWithHooks(c, ctx, flow, (r) => recoveryWire(c, ctx, r))
    : createFlow(c, ctx, flow, db);
}

/** Starts over with a fresh flow carrying `message`: JSON gets it with 400, browsers are sent to it. */
export async function retryWith(
  c: Context,
  ctx: AppContext,
  old: FlowRow,
  message: UiText,
): Promise<Response> {
  const fresh = await createRecoveryFlow(c, ctx, {
    type: old.type,
    returnTo: old.returnTo,
    messages: [message],
  });
  return respondWithFlow(c, ctx, fresh, recoveryWire(c, ctx, fresh), 400);
}

/** Updates a recovery flow; `data` keys are merged so the submission counter is never overwritten. */
export async function patchRecoveryFlow(
  db: DbOrTx,
  id: string,
  patch: {
    state?: string;
    ui?: UiContainer;
    identityId?: string;
    sessionId?: string;
    data?: Partial<RecoveryData>;
  },
): Promise<void> {
  const { data, ...rest } = patch;
  await db
    .update(selfserviceFlows)
    .set({ ...rest, ...(data ? { data: mergeData(data) } : {}), updatedAt: new Date() })
    .where(eq(selfserviceFlows.id, id));
}

export type Completion =
  | { status: "invalid" }
  | { status: "disabled" }
  | {
      status: "ok";
      session: IssuedSession;
      settings: FlowRow;
      flow: FlowRow;
      /** Sessions this recovery ended (for the OAuth2 login sessions to end with them). */
      revoked: string[];
      /** Credential types removed because the recovery was the first proof of the address. */
      removedCredentials: string[];
    };

/**
 * Completes a recovery: in one transaction the secret is consumed, the address it was sent to is
 * marked verified, a session (authenticated now, so the privileged window is open) is issued, and a
 * settings flow is created for it.
 *
 * When the code is the first proof of the address (it was unverified), whoever registered or used the
 * account before may not have owned it (pre-hijacking, docs/security.md): every earlier session and
 * every credential — password and second factors, all set up before the proof — are removed, and the
 * owner sets a password in the settings flow. Otherwise the `revoke_active_sessions` hook
 * (selfservice.flows.recovery.after.hooks) ends the earlier sessions.
 */
export async function completeRecovery(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  method: "code_recovery" | "link_recovery",
  consume: (tx: Tx) => Promise<{ identityId: string; verifyAddress?: string } | undefined>,
  /** The after hooks' fire-and-forget calls, queued with the completion. */
  deferred: readonly QueuedCall[] = [],
): Promise<Completion> {
  return ctx.db.transaction(async (tx): Promise<Completion> => {
    const consumed = await consume(tx);
    if (!consumed) return { status: "invalid" };
    const now = new Date();
    const before = await loadIdentity(tx, consumed.identityId);
    if (before?.identity.state !== "active") return { status: "disabled" };
    let firstProof = false;
    if (consumed.verifyAddress) {
      // Receiving the code proves control of the address, as Kratos counts it.
      const proven = await tx
        .update(identityVerifiableAddresses)
        .set({ verified: true, status: "completed", verifiedAt: now, updatedAt: now })
        .where(
          and(
            eq(identityVerifiableAddresses.identityId, consumed.identityId),
            eq(identityVerifiableAddresses.value, consumed.verifyAddress),
            eq(identityVerifiableAddresses.verified, false),
          ),
        )
        .returning({ id: identityVerifiableAddresses.id });
      firstProof = proven.length > 0;
    }
    let revoked: string[] = [];
    let removedCredentials: string[] = [];
    if (firstProof) {
      revoked = await revokeSessionsOf(tx, consumed.identityId);
      removedCredentials = await removeAllCredentials(tx, consumed.identityId);
      await ctx.hydra.credentialsReset(tx, consumed.identityId);
    } else if (recoveryHooks(ctx).has("revoke_active_sessions")) {
      revoked = await revokeSessionsOf(tx, consumed.identityId);
    }
    const identity = firstProof ? (await loadIdentity(tx, consumed.identityId))! : before;
    const session = await issueSession(tx, ctx, {
      identityId: consumed.identityId,
      methods: [{ method }],
      c,
    });
    const privilegedUntil = new Date(
      session.row.authenticatedAt.getTime() +
        ctx.config.selfservice.flows.settings.privileged_session_max_age,
    );
    const settings = await createSettingsFlow(
      c,
      ctx,
      {
        identity,
        sessionId: session.row.id,
        type: row.type,
        returnTo: row.returnTo,
        messages: [text.recoverySuccessful(privilegedUntil)],
      },
      tx,
    );
    const ui: UiContainer = { action: row.ui.action, method: row.ui.method, nodes: row.ui.nodes };
    await patchRecoveryFlow(tx, row.id, {
      state: "passed_challenge",
      ui,
      identityId: identity.identity.id,
      sessionId: session.row.id,
    });
    await queueWebHooks(tx, ctx, deferred);
    const flow: FlowRow = {
      ...row,
      state: "passed_challenge",
      ui,
      identityId: identity.identity.id,
      sessionId: session.row.id,
      updatedAt: now,
    };
    return { status: "ok", session, settings, flow, revoked, removedCredentials };
  });
}

/**
 * The after-recovery web hooks for the identity a right secret recovers (Kratos runs them once the
 * secret is used, before the session is stored; here before anything is written). An unknown or
 * disabled identity runs none: the completion fails without them.
 */
export async function recoveryWebHooks(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  identityId: string | null | undefined,
): Promise<HookRun> {
  const identity = identityId ? await loadIdentity(ctx.db, identityId) : undefined;
  if (identity?.identity.state !== "active") return { type: "ok", changes: {}, deferred: [] };
  return completionHooks(c, ctx, {
    flow: "recovery",
    row,
    wire: recoveryWire(c, ctx, row),
    identity: identityToWire(ctx, identity),
  });
}

/**
 * A recovery an after hook refused starts over, as Kratos retries the flow: the old flow's codes are
 * void, and a new flow carries the receiver's messages (JSON: 400; browsers are sent to it).
 */
export async function refusedRecovery(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  refusal: HookFailure,
): Promise<Response> {
  await deleteRecoveryCodes(ctx.db, row.id);
  const fresh = await createRecoveryFlow(c, ctx, {
    type: row.type,
    returnTo: row.returnTo,
    messages: allMessages(refusal),
  });
  return respondWithFlow(c, ctx, fresh, recoveryWire(c, ctx, fresh), 400);
}

/**
 * Answers a completed recovery. API clients get the token and the settings flow in continue_with;
 * browsers get the session cookie and go to settings (JSON: 422, as Kratos does without
 * `use_continue_with_transitions`).
 */
export async function respondRecovered(
  c: Context,
  ctx: AppContext,
  done: Extract<Completion, { status: "ok" }>,
): Promise<Response> {
  ctx.notifyCourier();
  for (const id of done.revoked) await ctx.hydra.sessionEnded(id);
  const url = settingsUiUrl(ctx, done.settings.id);
  if (done.flow.type === "api") {
    return c.json(
      recoveryWire(c, ctx, done.flow, [
        { action: "set_ory_session_token", ory_session_token: done.session.token },
        { action: "show_settings_ui", flow: { id: done.settings.id, url } },
      ]),
    );
  }
  setSessionCookie(c, ctx, done.session.token, done.session.row.expiresAt);
  if (isJsonRequest(c)) return c.json(browserLocationChangeRequired(url).toBody(), 422);
  return c.redirect(url, 303);
}
