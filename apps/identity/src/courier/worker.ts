import { metricsFor } from "../metrics/metrics.ts";
import { and, asc, eq, inArray, lt, lte } from "drizzle-orm";
import type { Transporter } from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";
import type { AppContext } from "../app/context.ts";
import { courierDispatches, courierMessages } from "../db/schema.ts";
import { uuid } from "../security/random.ts";
import { deliverQueuedWebHook, WEB_HOOK_CHANNEL } from "../selfservice/hook/queue.ts";
import { sendThroughChannel } from "./http-channel.ts";
import { createSmtpTransport } from "./smtp.ts";

type MessageRow = typeof courierMessages.$inferSelect;
type MailTransport = Pick<Transporter<SMTPPool.SentMessageInfo>, "sendMail" | "close">;

/** Messages claimed per pass; a full batch makes the worker go again without waiting. */
const BATCH = 10;

export interface CourierWorker {
  /** Wakes the worker now (a message was queued). */
  notify(): void;
  /**
   * Finishes the sends under way, delivers the messages that are due (flush), records them, then
   * stops and closes the SMTP pool; gives up at the deadline (what is left stays queued).
   */
  stop(deadlineMs?: number): Promise<void>;
}

/** Delay before the next attempt after `failures` failed sends: doubling, capped. */
export function backoffMs(ctx: AppContext, failures: number): number {
  const { retry_backoff: base, retry_backoff_max: max } = ctx.config.courier.worker;
  return Math.min(max, base * 2 ** Math.max(0, Math.min(failures - 1, 30)));
}

/** What a failed dispatch records: enough to diagnose, nothing secret (no credentials, no body). */
function dispatchError(e: unknown): Record<string, unknown> {
  const err = e as { message?: string; code?: string; responseCode?: number; command?: string };
  return {
    message: String(err?.message ?? e).slice(0, 1000),
    ...(err?.code ? { code: err.code } : {}),
    ...(err?.responseCode ? { response_code: err.responseCode } : {}),
    ...(err?.command ? { command: err.command } : {}),
  };
}

/**
 * The courier: sends queued `courier_messages` over SMTP (email) or a configured HTTP channel (sms). Messages are claimed by flipping them
 * to `processing` with FOR UPDATE SKIP LOCKED, so several workers (or replicas) never send the
 * same message twice. A claim is a lease: while a send is under way its worker renews it (touches
 * `updated_at`) every third of `courier.worker.processing_timeout`; a message whose lease was not
 * renewed for that long — its sender died — is queued again by any worker (of this or another
 * process, or the restarted one), so a crash loses nothing and a slow send is never taken over.
 */
export function startCourierWorker(ctx: AppContext, transport?: MailTransport): CourierWorker {
  const cfg = ctx.config.courier;
  const smtp: MailTransport = transport ?? createSmtpTransport(cfg.smtp.connection_uri);
  const from = { name: cfg.smtp.from_name, address: cfg.smtp.from_address };
  let stopping = false;
  let pending = false;
  let wake: (() => void) | undefined;
  /** Messages this worker claimed and is still sending: their leases are renewed. */
  const held = new Set<string>();
  const leaseMs = cfg.worker.processing_timeout;
  const renewing = setInterval(
    () => {
      if (held.size === 0) return;
      void ctx.db
        .update(courierMessages)
        .set({ updatedAt: new Date() })
        .where(and(inArray(courierMessages.id, [...held]), eq(courierMessages.status, "processing")))
        .catch(() => {
          // The database is away: the leases may lapse and the sends be retried (at worst a duplicate).
        });
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  renewing.unref();

  async function requeueStuck(): Promise<void> {
    const now = new Date();
    const stuck = await ctx.db
      .update(courierMessages)
      .set({ status: "queued", updatedAt: now })
      .where(
        and(
          eq(courierMessages.status, "processing"),
          lt(courierMessages.updatedAt, new Date(now.getTime() - leaseMs)),
        ),
      )
      .returning({ id: courierMessages.id });
    if (stuck.length) ctx.log.warn("courier: re-queued messages left in processing", { count: stuck.length });
  }

  async function claim(): Promise<MessageRow[]> {
    const now = new Date();
    const due = ctx.db
      .select({ id: courierMessages.id })
      .from(courierMessages)
      .where(and(eq(courierMessages.status, "queued"), lte(courierMessages.nextAttemptAt, now)))
      .orderBy(asc(courierMessages.nextAttemptAt), asc(courierMessages.createdAt))
      .limit(BATCH)
      .for("update", { skipLocked: true });
    return ctx.db
      .update(courierMessages)
      .set({ status: "processing", updatedAt: now })
      .where(and(inArray(courierMessages.id, due), eq(courierMessages.status, "queued")))
      .returning();
  }

  async function recordSuccess(m: MessageRow): Promise<void> {
    const now = new Date();
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(courierMessages)
        .set({ status: "sent", sendCount: m.sendCount + 1, updatedAt: now })
        .where(and(eq(courierMessages.id, m.id), eq(courierMessages.status, "processing")));
      await tx.insert(courierDispatches).values({
        id: uuid(),
        messageId: m.id,
        status: "success",
        createdAt: now,
        updatedAt: now,
      });
    });
    metricsFor(ctx).deliveries.inc({ outcome: "sent" });
  }

  async function recordFailure(m: MessageRow, e: unknown): Promise<void> {
    const now = new Date();
    const attempts = m.sendCount + 1;
    const abandon = attempts >= Math.max(1, cfg.message_retries);
    await ctx.db.transaction(async (tx) => {
      await tx
        .update(courierMessages)
        .set({
          status: abandon ? "abandoned" : "queued",
          sendCount: attempts,
          nextAttemptAt: new Date(now.getTime() + backoffMs(ctx, attempts)),
          updatedAt: now,
        })
        .where(and(eq(courierMessages.id, m.id), eq(courierMessages.status, "processing")));
      await tx.insert(courierDispatches).values({
        id: uuid(),
        messageId: m.id,
        status: "failed",
        error: dispatchError(e),
        createdAt: now,
        updatedAt: now,
      });
    });
    metricsFor(ctx).deliveries.inc({ outcome: abandon ? "abandoned" : "failed" });
    const fields = { message_id: m.id, attempts, error: dispatchError(e).message };
    if (abandon) ctx.log.error("courier: message abandoned", fields);
    else ctx.log.warn("courier: send failed, will retry", fields);
  }

  async function send(m: MessageRow): Promise<void> {
    held.add(m.id);
    try {
      await sendHeld(m);
    } finally {
      held.delete(m.id);
    }
  }

  async function sendHeld(m: MessageRow): Promise<void> {
    let failure: unknown;
    try {
      if (m.channel === "email") {
        await smtp.sendMail({
          from,
          to: m.recipient,
          subject: m.subject,
          text: m.body,
          ...(m.htmlBody ? { html: m.htmlBody } : {}),
        });
      } else if (m.channel === WEB_HOOK_CHANNEL) {
        // Fire-and-forget web hooks ride this queue for its retries and leases.
        await deliverQueuedWebHook(ctx, m);
      } else {
        // Other channels (`sms`) are HTTP requests configured in courier.channels.
        const channel = cfg.channels.find((ch) => ch.id === m.channel);
        if (!channel) throw new Error(`no courier channel "${m.channel}" is configured (courier.channels)`);
        await sendThroughChannel(channel, {
          id: m.id,
          recipient: m.recipient,
          body: m.body,
          templateType: m.templateType,
        });
      }
    } catch (e) {
      failure = e ?? new Error("unknown SMTP error");
    }
    try {
      if (failure === undefined) await recordSuccess(m);
      else await recordFailure(m, failure);
    } catch (e) {
      // The row stays `processing` and is queued again after the timeout: at worst a duplicate mail.
      ctx.log.error("courier: could not record a dispatch", { message_id: m.id, error: String(e) });
    }
  }

  /** One pass; returns how many messages it handled. */
  async function runOnce(): Promise<number> {
    await requeueStuck();
    const claimed = await claim();
    await Promise.all(claimed.map(send));
    return claimed.length;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (pending || stopping) return resolve();
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  const loop = (async () => {
    while (!stopping) {
      pending = false;
      let handled = 0;
      try {
        handled = await runOnce();
      } catch (e) {
        if (!stopping) ctx.log.error("courier: pass failed", { error: String(e) });
      }
      if (stopping) break;
      if (handled < BATCH) await sleep(cfg.worker.poll_interval);
    }
  })();

  let stopped: Promise<void> | undefined;
  return {
    notify() {
      pending = true;
      wake?.();
    },
    stop(deadlineMs = 15_000) {
      stopped ??= (async () => {
        stopping = true;
        wake?.();
        const end = Date.now() + deadlineMs;
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, deadlineMs);
        });
        // Flush: once the loop has ended, deliver what is due now (messages queued by the last
        // requests before shutdown), pass after pass, until nothing is left or the deadline comes.
        // Messages waiting for a retry stay queued for the next start.
        const flush = (async () => {
          await loop;
          for (let pass = 0; pass < 1000 && Date.now() < end; pass++) {
            if ((await runOnce()) === 0) break;
          }
        })().catch((e) => ctx.log.error("courier: flush on shutdown failed", { error: String(e) }));
        await Promise.race([flush, deadline]);
        clearTimeout(timer);
        // Sends still hanging at the deadline are let go: their leases lapse and they are retried.
        clearInterval(renewing);
        held.clear();
        smtp.close();
      })();
      return stopped;
    },
  };
}

/** The start hook server.ts runs: starts the worker when `courier.worker.enabled` and wires notifyCourier. */
export async function courierStartHook(ctx: AppContext): Promise<CourierWorker | undefined> {
  if (!ctx.config.courier.worker.enabled) return undefined;
  const worker = startCourierWorker(ctx);
  ctx.notifyCourier = () => worker.notify();
  return worker;
}
