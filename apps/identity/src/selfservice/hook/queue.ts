import type { AppContext } from "../../app/context.ts";
import type { WebHookConfig } from "../../config/hooks.ts";
import type { DbOrTx } from "../../db/client.ts";
import { courierMessages } from "../../db/schema.ts";
import { audit } from "../../audit/audit.ts";
import { uuid } from "../../security/random.ts";
import { hooksAt, type HookPoint, pointName } from "./points.ts";
import { callWebHook, hookRequest } from "./web-hook.ts";

/*
 * Fire-and-forget web hooks (`response.ignore: true`) ride the courier's queue: a row in
 * courier_messages on channel `web_hook`, written in the same transaction as the flow step, claimed,
 * leased, retried with backoff (courier.message_retries, courier.worker.retry_backoff) and recorded
 * per attempt by the courier worker (courier/worker.ts) — so nothing is lost across restarts. The row
 * keeps the URL and the rendered body, never credentials: `auth` is read from the configuration when
 * the request is sent.
 */

export const WEB_HOOK_CHANNEL = "web_hook";

/** A call to queue: the hook's place in the configuration, and the rendered payload. */
export interface QueuedCall {
  point: HookPoint;
  index: number;
  cfg: WebHookConfig;
  payload: unknown;
  identityId?: string;
}

interface StoredCall {
  point: HookPoint;
  index: number;
  payload: unknown;
  identity_id?: string;
}

/** Queues the calls in `tx` (the flow step's transaction); call ctx.notifyCourier() after commit. */
export async function queueWebHooks(
  tx: DbOrTx,
  ctx: AppContext,
  calls: readonly QueuedCall[],
): Promise<void> {
  if (!calls.length) return;
  const now = new Date();
  await tx.insert(courierMessages).values(
    calls.map((call) => ({
      id: uuid(),
      type: "web_hook" as const,
      status: "queued" as const,
      recipient: call.cfg.url,
      subject: pointName(call.point),
      body: JSON.stringify({
        point: call.point,
        index: call.index,
        payload: call.payload,
        ...(call.identityId ? { identity_id: call.identityId } : {}),
      } satisfies StoredCall),
      htmlBody: null,
      templateType: "web_hook",
      channel: WEB_HOOK_CHANNEL,
      sendCount: 0,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    })),
  );
  if (!ctx.config.courier.worker.enabled) {
    ctx.log.warn("web hooks queued but courier.worker.enabled is false: they wait for a worker", {
      count: calls.length,
    });
  }
}

/** The configured hook for a stored call: the same place if it still has this URL, else any hook with it. */
function configFor(ctx: AppContext, stored: StoredCall, url: string): WebHookConfig | undefined {
  const same = hooksAt(ctx, stored.point)[stored.index];
  if (same?.hook === "web_hook" && same.config.url === url) return same.config;
  for (const flow of ["login", "registration", "settings", "recovery", "verification"] as const) {
    const f = ctx.config.selfservice.flows[flow];
    const lists = [
      f.before.hooks,
      f.after.hooks,
      ...Object.values(f.after).flatMap((v) => (v && typeof v === "object" && "hooks" in v ? [v.hooks] : [])),
    ];
    for (const list of lists) {
      for (const h of list) if (h.hook === "web_hook" && h.config.url === url) return h.config;
    }
  }
  return undefined;
}

/** Sends one queued call (the courier worker's `web_hook` channel); throws when it failed, to be retried. */
export async function deliverQueuedWebHook(
  ctx: AppContext,
  m: { id: string; recipient: string; body: string },
): Promise<void> {
  const stored = JSON.parse(m.body) as StoredCall;
  const cfg = configFor(ctx, stored, m.recipient);
  if (!cfg) throw new Error(`no web hook for ${new URL(m.recipient).origin} is configured any more`);
  const started = Date.now();
  const answer = await callWebHook(hookRequest(cfg, stored.payload), cfg.timeout);
  const target = new URL(cfg.url);
  await audit(ctx, undefined, {
    event: answer.ok ? "hook.web_hook.delivered" : "hook.web_hook.delivery_failed",
    actor: stored.identity_id ?? "anonymous",
    target: stored.identity_id ?? null,
    metadata: {
      hook: pointName(stored.point),
      url: `${target.origin}${target.pathname}`,
      message_id: m.id,
      ...(answer.status ? { status: answer.status } : {}),
      ...(answer.ok ? {} : { error: answer.error }),
      duration_ms: Date.now() - started,
    },
  });
  if (!answer.ok) throw new Error(`web hook ${target.origin}${target.pathname}: ${answer.error}`);
}
