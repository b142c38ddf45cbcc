import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { HookEntry } from "../../config/hooks.ts";
import { type Config, ConfigError } from "../../config/index.ts";
import type { Tx } from "../../db/client.ts";
import { type FullIdentity, identityToWire } from "../../identity/repository.ts";
import type { IdentitySchema } from "../../identity/schemas.ts";
import { audit } from "../../audit/audit.ts";
import { uuid } from "../../security/random.ts";
import { baseFlowWire } from "../flow/common.ts";
import type { FlowRow } from "../flow/repository.ts";
import { addMessage, addNodeMessage, type UiContainer } from "../flow/ui.ts";
import { text, type UiText } from "../flow/text.ts";
import type { FlowFailure } from "../strategy/types.ts";
import { bodyOf, CANCEL, checkBody, HookBodyError, renderBody } from "./body.ts";
import { hooksAt, type HookPoint, pointName } from "./points.ts";
import { type QueuedCall, queueWebHooks } from "./queue.ts";
import {
  callWebHook,
  hookRequest,
  type IdentityChanges,
  parseIdentityChanges,
  parseInterrupt,
} from "./web-hook.ts";

export { hooksAt, type HookPoint, pointName } from "./points.ts";
export { queueWebHooks } from "./queue.ts";

/*
 * Runs the `web_hook` hooks of a point in their configured order (the built-in hooks — session,
 * show_verification_ui, … — stay where the flows apply them). Blocking hooks are called now, each
 * within its timeout; fire-and-forget ones (`response.ignore`) are returned to be queued in the flow
 * step's transaction. A blocking hook that fails, times out or refuses fails the flow: nothing of the
 * step is written. Every call is audited (`hook.web_hook.*`, URL without its query, never the body).
 */

/** The context a hook's body is rendered from (Kratos' `ctx`). */
export interface HookContext {
  flow: Record<string, unknown>;
  identity?: Record<string, unknown>;
  request_headers: Record<string, string[]>;
  request_method: string;
  request_url: string;
  transient_payload?: unknown;
}

export interface HookInput {
  point: HookPoint;
  /** The flow the hooks run for (sent as `ctx.flow`, its CSRF token removed). */
  row: FlowRow;
  /** The flow in its kind's wire shape, when the caller has it (else the fields every flow has). */
  wire?: Record<string, unknown>;
  /** The identity in Kratos' wire shape (after hooks). */
  identity?: Record<string, unknown>;
  /** The submission's `transient_payload` (Kratos passes it to hooks only). */
  transientPayload?: unknown;
  /** Where `response.parse` answers may change the identity: the schema its traits must satisfy. */
  parse?: { schema: IdentitySchema };
}

/** A blocking hook stopped the step: it refused (its messages), timed out, or failed otherwise. */
export type HookFailure = FlowFailure & { cause: "refused" | "timed_out" | "failed" };

export type HookRun =
  | {
      type: "ok";
      /** The identity after the parsing hooks' changes (undefined when none could change it). */
      changes: IdentityChanges;
      /** Fire-and-forget calls: queue them with queueWebHooks in the step's transaction. */
      deferred: QueuedCall[];
    }
  | HookFailure;

/** Headers a receiver may see (Kratos forwards a similar list); cookies and credentials never. */
const FORWARDED_HEADERS = [
  "Accept",
  "Accept-Language",
  "Content-Type",
  "Origin",
  "Referer",
  "Sec-Ch-Ua",
  "Sec-Ch-Ua-Mobile",
  "Sec-Ch-Ua-Platform",
  "Sec-Fetch-Dest",
  "Sec-Fetch-Mode",
  "Sec-Fetch-Site",
  "Sec-Fetch-User",
  "True-Client-Ip",
  "User-Agent",
  "X-Forwarded-For",
  "X-Forwarded-Host",
  "X-Forwarded-Proto",
];

function requestHeaders(c: Context): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of FORWARDED_HEADERS) {
    const v = c.req.header(name);
    if (v !== undefined) out[name] = [v.slice(0, 2048)];
  }
  return out;
}

function flowPayload(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  wire: Record<string, unknown> = baseFlowWire(c, ctx, row),
): Record<string, unknown> {
  const ui = wire.ui as { nodes?: { attributes?: { name?: string; value?: unknown } }[] } | undefined;
  const nodes = ui?.nodes?.map((n) =>
    n.attributes?.name === "csrf_token" ? { ...n, attributes: { ...n.attributes, value: "" } } : n,
  );
  return { ...wire, ...(ui ? { ui: { ...ui, nodes } } : {}) };
}

/** The hook failed (down, slow, malformed): the flow fails with a message that says so, nothing more. */
const hookFailed = (): UiText =>
  text.validationGeneric(
    "The request could not be completed because an external service did not answer as expected. Please try again later.",
  );

function identityIdOf(identity: Record<string, unknown> | undefined): string | undefined {
  return typeof identity?.id === "string" ? identity.id : undefined;
}

/**
 * Checks every web hook body at start: one that cannot be read, a malformed template, or a Jsonnet
 * program that does not parse stops the process naming the key that holds it (and the line).
 */
export async function checkWebHooks(config: Config): Promise<void> {
  for (const flow of ["login", "registration", "settings", "recovery", "verification"] as const) {
    const f = config.selfservice.flows[flow];
    const lists: [string, readonly HookEntry[]][] = [
      [`selfservice.flows.${flow}.before.hooks`, f.before.hooks],
      [`selfservice.flows.${flow}.after.hooks`, f.after.hooks],
    ];
    for (const [method, v] of Object.entries(f.after)) {
      if (v && typeof v === "object" && "hooks" in v) {
        lists.push([`selfservice.flows.${flow}.after.${method}.hooks`, v.hooks]);
      }
    }
    for (const [where, list] of lists) {
      for (const [i, h] of list.entries()) {
        if (h.hook !== "web_hook") continue;
        try {
          await checkBody(h.config, `${where}[${i}].config`);
        } catch (e) {
          if (e instanceof HookBodyError) throw new ConfigError(e.message);
          throw e;
        }
      }
    }
  }
}

/** Runs the point's web hooks in order; see HookRun. Never throws for a receiver's behaviour. */
export async function runWebHooks(c: Context, ctx: AppContext, input: HookInput): Promise<HookRun> {
  const entries = hooksAt(ctx, input.point).flatMap((h, index) =>
    h.hook === "web_hook" ? [{ cfg: h.config, index }] : [],
  );
  const changes: IdentityChanges = {};
  const deferred: QueuedCall[] = [];
  if (!entries.length) return { type: "ok", changes, deferred };
  let identity = input.identity;
  const base = {
    flow: flowPayload(c, ctx, input.row, input.wire),
    request_headers: requestHeaders(c),
    request_method: c.req.method,
    request_url: c.req.url,
    ...(input.transientPayload !== undefined ? { transient_payload: input.transientPayload } : {}),
  };
  const name = pointName(input.point);
  for (const { cfg, index } of entries) {
    const hookCtx: HookContext = { ...base, ...(identity ? { identity } : {}) };
    const identityId = identityIdOf(identity);
    const where = `${name}.hooks[${index}].config`;
    let payload: unknown;
    try {
      payload = await renderBody(
        await bodyOf(cfg, where),
        hookCtx as unknown as Record<string, unknown>,
        where,
      );
    } catch (e) {
      if (!(e instanceof HookBodyError)) throw e;
      // The body could not be made (a Jsonnet program that failed or ran too long): the hook failed, as
      // in Kratos; a fire-and-forget one is skipped (logged), an interrupting one fails the flow.
      const target = new URL(cfg.url);
      ctx.log.warn("web hook body failed", {
        hook: name,
        url: `${target.origin}${target.pathname}`,
        error: e.message,
      });
      await audit(ctx, c, {
        event: "hook.web_hook.failed",
        actor: identityId ?? "anonymous",
        target: identityId ?? null,
        metadata: {
          hook: name,
          url: `${target.origin}${target.pathname}`,
          error: "the body could not be rendered",
        },
      });
      if (cfg.response.ignore) continue;
      return { type: "failed", cause: "failed", messages: [hookFailed()] };
    }
    // The program cancelled this call (Kratos' `error 'cancel'`): nothing is sent, the flow goes on.
    if (payload === CANCEL) continue;
    if (cfg.response.ignore) {
      deferred.push({ point: input.point, index, cfg, payload, ...(identityId ? { identityId } : {}) });
      continue;
    }
    const started = Date.now();
    const answer = await callWebHook(hookRequest(cfg, payload), cfg.timeout);
    const target = new URL(cfg.url);
    const record = (event: string, extra: Record<string, unknown> = {}) =>
      audit(ctx, c, {
        event,
        actor: identityId ?? "anonymous",
        target: identityId ?? null,
        metadata: {
          hook: name,
          url: `${target.origin}${target.pathname}`,
          ...(answer.status ? { status: answer.status } : {}),
          duration_ms: Date.now() - started,
          ...extra,
        },
      });
    if (!answer.ok) {
      const refusal = cfg.can_interrupt || cfg.response.parse ? parseInterrupt(answer.json) : undefined;
      if (refusal && answer.status !== undefined && answer.status >= 400 && answer.status < 500) {
        await record("hook.web_hook.interrupted", { messages: refusal.map(([, m]) => m.id) });
        return {
          type: "failed",
          cause: "refused",
          messages: refusal.filter(([n]) => !n).map(([, m]) => m),
          fields: refusal.filter(([n]) => n),
        };
      }
      await record("hook.web_hook.failed", { error: answer.error });
      ctx.log.warn("web hook failed", {
        hook: name,
        url: `${target.origin}${target.pathname}`,
        error: answer.error,
      });
      return { type: "failed", cause: answer.timedOut ? "timed_out" : "failed", messages: [hookFailed()] };
    }
    if (cfg.response.parse && input.parse && identity) {
      const found = parseIdentityChanges(answer.json);
      if (!found) {
        await record("hook.web_hook.failed", { error: "malformed identity in the answer" });
        return { type: "failed", cause: "failed", messages: [hookFailed()] };
      }
      if (found.traits) {
        const errors = ctx.schemas.validate(input.parse.schema, found.traits);
        if (errors.length) {
          await record("hook.web_hook.failed", {
            error: "traits in the answer do not match the identity schema",
            schema_errors: errors.slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`),
          });
          return { type: "failed", cause: "failed", messages: [hookFailed()] };
        }
      }
      Object.assign(changes, found);
      identity = {
        ...identity,
        ...(found.traits ? { traits: found.traits } : {}),
        ...("metadata_public" in found ? { metadata_public: found.metadata_public } : {}),
        ...("metadata_admin" in found ? { metadata_admin: found.metadata_admin } : {}),
      };
      await record("hook.web_hook.succeeded", { changed: Object.keys(found) });
    } else {
      await record("hook.web_hook.succeeded");
    }
  }
  return { type: "ok", changes, deferred };
}

/**
 * After hooks where nothing is being created (login, settings, recovery, verification): runs them,
 * queues the fire-and-forget ones at once, and returns the refusal if a hook refused.
 */
export async function runAfterHooks(
  c: Context,
  ctx: AppContext,
  input: HookInput,
): Promise<FlowFailure | undefined> {
  const run = await runWebHooks(c, ctx, input);
  if (run.type === "failed") return run;
  if (run.deferred.length) {
    await queueWebHooks(ctx.db, ctx, run.deferred);
    ctx.notifyCourier();
  }
  return undefined;
}

export interface RegistrationDraft {
  /** The id the identity will have (hooks see it before it is saved). */
  id: string;
  traits: Record<string, unknown>;
  metadataPublic: unknown;
  metadataAdmin: unknown;
  /** Fire-and-forget calls: queue them (queueWebHooks) in the transaction that creates the identity. */
  deferred: QueuedCall[];
}

/**
 * After-registration web hooks, run before the identity is saved: a hook may refuse (nothing is
 * created) or, with `response.parse`, change its traits and metadata. The caller creates the
 * identity from the draft (its id, traits and metadata) and queues the deferred calls with it.
 */
export async function registrationHooks(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  input: {
    method: string;
    schema: IdentitySchema;
    traits: Record<string, unknown>;
    transientPayload?: unknown;
  },
): Promise<FlowFailure | ({ type: "ok" } & RegistrationDraft)> {
  const id = uuid();
  const identity = {
    id,
    schema_id: input.schema.id,
    state: "active",
    traits: input.traits,
    metadata_public: null,
    metadata_admin: null,
  };
  const run = await runWebHooks(c, ctx, {
    point: { flow: "registration", phase: "after", method: input.method },
    row,
    identity,
    transientPayload: input.transientPayload,
    parse: { schema: input.schema },
  });
  if (run.type === "failed") return run;
  return {
    type: "ok",
    id,
    traits: run.changes.traits ?? input.traits,
    metadataPublic: run.changes.metadata_public ?? null,
    metadataAdmin: run.changes.metadata_admin ?? null,
    deferred: run.deferred,
  };
}

/** Every message of a refusal, the fields' too: for a new flow that has none of those fields. */
export function allMessages(refusal: FlowFailure): UiText[] {
  return [...(refusal.messages ?? []), ...(refusal.fields ?? []).map(([, m]) => m)];
}

/**
 * After-recovery and after-verification web hooks (`selfservice.flows.<flow>.after.hooks`), run when a
 * right secret was submitted and before anything of the step is saved: the receiver gets the identity
 * (as the step will leave it) and may refuse. Queue the deferred calls in the step's transaction.
 */
export function completionHooks(
  c: Context,
  ctx: AppContext,
  input: {
    flow: "recovery" | "verification";
    row: FlowRow;
    wire: Record<string, unknown>;
    identity: Record<string, unknown>;
  },
): Promise<HookRun> {
  return runWebHooks(c, ctx, {
    point: { flow: input.flow, phase: "after" },
    row: input.row,
    wire: input.wire,
    identity: input.identity,
  });
}

/** Puts a refusal's messages on the flow's UI: on the named nodes, or on the flow itself. */
export function showRefusal(ui: UiContainer, refusal: FlowFailure): void {
  for (const m of refusal.messages ?? []) addMessage(ui, m);
  for (const [name, m] of refusal.fields ?? []) addNodeMessage(ui, name, m);
}

/**
 * After-login web hooks (`selfservice.flows.login.after[.<method>].hooks`), before the session is
 * issued: the receiver gets the identity and may refuse the sign-in. Returns the refusal, if any.
 */
export function loginHooks(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  identity: FullIdentity,
  method: string,
): Promise<FlowFailure | undefined> {
  return runAfterHooks(c, ctx, {
    point: { flow: "login", phase: "after", method },
    row,
    identity: identityToWire(ctx, identity),
  });
}

/**
 * After-settings web hooks (`selfservice.flows.settings.after[.<method>].hooks`), before the change is
 * saved: the receiver gets the identity as it will be (`traits` when the profile changes) and may
 * refuse, which leaves it unchanged. Queue the returned deferred calls in the saving transaction.
 */
export function settingsHooks(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  identity: FullIdentity,
  method: string,
  traits?: Record<string, unknown>,
): Promise<HookRun> {
  const wire = identityToWire(ctx, identity);
  return runWebHooks(c, ctx, {
    point: { flow: "settings", phase: "after", method },
    row,
    identity: traits ? { ...wire, traits } : wire,
  });
}

/** The outcome of a settings change written through saveSettingsChange. */
export type SettingsSave<T> = { type: "refused"; refusal: HookFailure } | { type: "saved"; value: T };

/**
 * A settings change of a method other than profile and password (totp, lookup_secret, webauthn,
 * passkey, oidc): its after-settings web hooks run first, with the identity as it is (a refusal is
 * returned and nothing is written), then `write` runs in one transaction with the queued
 * fire-and-forget calls — unless `kept(result)` says the write changed nothing (a duplicate key).
 */
export async function saveSettingsChange<T>(
  c: Context,
  ctx: AppContext,
  input: { row: FlowRow; identity: FullIdentity; method: string },
  write: (tx: Tx) => Promise<T>,
  kept: (result: T) => boolean = () => true,
): Promise<SettingsSave<T>> {
  const run = await settingsHooks(c, ctx, input.row, input.identity, input.method);
  if (run.type === "failed") return { type: "refused", refusal: run };
  const value = await ctx.db.transaction(async (tx) => {
    const result = await write(tx);
    if (kept(result)) await queueWebHooks(tx, ctx, run.deferred);
    return result;
  });
  if (run.deferred.length) ctx.notifyCourier();
  return { type: "saved", value };
}
