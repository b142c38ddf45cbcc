import { createServer, connect, type Server, type Socket } from "node:net";
import { CourierApi, Configuration, type Message } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../app/context.ts";
import { courierMessages } from "../db/schema.ts";
import { parseConfig } from "../config/index.ts";
import { uuid } from "../security/random.ts";
import {
  freePort,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
  testConfig,
} from "../testing/index.ts";
import { enqueueEmail } from "./queue.ts";
import { backoffMs, type CourierWorker, startCourierWorker } from "./worker.ts";

/**
 * The courier against a real MailDev behind a relay this test can take down and bring up. The
 * core's own worker is off: each test starts (and "crashes") workers itself.
 */
let mail: MailCatcher;
let relay: ReturnType<typeof smtpRelay>;
let t: TestCore;
let ctx: AppContext;
let courier: CourierApi;

function smtpRelay(port: number, target: number) {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  return {
    async up() {
      server = createServer((client) => {
        const upstream = connect(target, "127.0.0.1");
        sockets.add(client).add(upstream);
        const end = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        for (const s of [client, upstream]) s.on("error", end).on("close", end);
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    },
    async down() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}

beforeAll(async () => {
  mail = await startMailCatcher();
  const port = await freePort();
  relay = smtpRelay(port, mail.smtpPort);
  t = await startTestCore({
    overrides: {
      courier: {
        smtp: {
          connection_uri: `smtp://127.0.0.1:${port}/?disable_starttls=true`,
          from_address: "courier@olympus.test",
          from_name: "Olympus Courier",
        },
        message_retries: 4,
        worker: {
          enabled: false,
          poll_interval: "100ms",
          retry_backoff: "300ms",
          retry_backoff_max: "2s",
          processing_timeout: "1s",
        },
      },
    },
  });
  ctx = t.core.ctx;
  courier = new CourierApi(new Configuration({ basePath: t.adminUrl }));
});
afterAll(async () => {
  await t?.stop();
  await relay?.down();
  await mail?.stop();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const enqueue = (to: string) =>
  enqueueEmail(ctx.db, ctx, "verification_code_valid", to, {
    verification_code: "424242",
    verification_url: "http://localhost/self-service/verification?flow=x&code=424242",
    to,
  });

const message = (id: string) => courier.getCourierMessage({ id });
const whenMessage = (id: string, test: (m: Message) => boolean, what: string) =>
  until(async () => {
    const m = await message(id);
    return test(m) ? m : undefined;
  }, what);

function started(worker: CourierWorker): CourierWorker {
  ctx.notifyCourier = () => worker.notify();
  return worker;
}

describe("courier worker", () => {
  it("keeps a message queued with failed dispatches while SMTP is down, then abandons it", async () => {
    const w = started(startCourierWorker(ctx));
    try {
      const id = await enqueue("down@example.com");
      ctx.notifyCourier();
      const first = await whenMessage(id, (m) => m.send_count >= 1, "a first failed attempt");
      expect(first.status).toBe("queued");
      expect(first.dispatches?.map((d) => d.status)).toEqual(["failed"]);
      expect(JSON.stringify(first.dispatches?.[0]?.error)).toMatch(/ECONNREFUSED/);
      const done = await whenMessage(id, (m) => m.status === "abandoned", "abandonment");
      expect(done.send_count).toBe(4);
      expect(done.dispatches?.map((d) => d.status)).toEqual(["failed", "failed", "failed", "failed"]);
      // Backoff doubled between attempts (300 ms, 600 ms, 1.2 s).
      const times = done.dispatches!.map((d) => d.created_at.getTime());
      expect(times[3]! - times[2]!).toBeGreaterThan(times[1]! - times[0]!);
    } finally {
      await w.stop();
    }
  });

  it("delivers a message queued while SMTP was down once SMTP is back", async () => {
    const w = started(startCourierWorker(ctx));
    try {
      const id = await enqueue("later@example.com");
      ctx.notifyCourier();
      await whenMessage(id, (m) => m.send_count >= 1, "a failed attempt");
      await relay.up();
      const got = await mail.waitFor("later@example.com");
      expect(got.from[0]).toMatchObject({ address: "courier@olympus.test", name: "Olympus Courier" });
      expect(got.text).toContain("424242");
      const sent = await whenMessage(id, (m) => m.status === "sent", "sent");
      const statuses = sent.dispatches!.map((d) => d.status);
      expect(statuses.at(-1)).toBe("success");
      expect(statuses.slice(0, -1).every((s) => s === "failed")).toBe(true);
      expect(sent.send_count).toBe(statuses.length);
    } finally {
      await w.stop();
    }
  });

  it("re-sends a message a crashed sender left in processing, once, after the timeout", async () => {
    // A sender that claims a message and never comes back: a process killed mid-send.
    const hung = startCourierWorker(ctx, { sendMail: () => new Promise(() => {}), close: () => {} });
    const id = await enqueue("crash@example.com");
    hung.notify();
    await whenMessage(id, (m) => m.status === "processing", "the hung claim");
    await hung.stop(50);
    await mail.clear();
    const w = started(startCourierWorker(ctx));
    try {
      // Still someone else's claim until processing_timeout (1 s) has passed.
      await new Promise((r) => setTimeout(r, 300));
      expect((await message(id)).status).toBe("processing");
      await mail.waitFor("crash@example.com");
      const sent = await whenMessage(id, (m) => m.status === "sent", "sent");
      expect(sent.dispatches?.map((d) => d.status)).toEqual(["success"]);
      expect((await mail.list()).filter((m) => m.to[0]?.address === "crash@example.com")).toHaveLength(1);
    } finally {
      await w.stop();
    }
  });

  it("recovers a message left in processing before a restart", async () => {
    const id = uuid();
    const long = new Date(Date.now() - 3_600_000);
    await ctx.db.insert(courierMessages).values({
      id,
      recipient: "restart@example.com",
      subject: "left behind",
      body: "left behind\n",
      templateType: "verification_code_valid",
      status: "processing",
      createdAt: long,
      updatedAt: long,
      nextAttemptAt: long,
    });
    const w = started(startCourierWorker(ctx));
    try {
      await mail.waitFor("restart@example.com");
      await whenMessage(id, (m) => m.status === "sent", "sent");
    } finally {
      await w.stop();
    }
  });

  it("wakes on notify instead of waiting for the poll interval", async () => {
    const slow = { ...ctx, config: structuredClone(ctx.config) };
    slow.config.courier.worker.poll_interval = 60_000;
    const w = startCourierWorker(slow);
    try {
      await new Promise((r) => setTimeout(r, 200)); // the first pass found nothing; it now sleeps
      const started = Date.now();
      const id = await enqueue("woken@example.com");
      w.notify();
      await mail.waitFor("woken@example.com");
      await whenMessage(id, (m) => m.status === "sent", "sent");
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await w.stop();
    }
  });

  it("stop() finishes the sends under way and records them before returning", async () => {
    let calls = 0;
    const w = startCourierWorker(ctx, {
      sendMail: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 400));
        return {} as never;
      },
      close: () => {},
    });
    const id = await enqueue("flush@example.com");
    w.notify();
    await until(async () => (calls > 0 ? true : undefined), "the send to start");
    await w.stop();
    const m = await message(id);
    expect(m.status).toBe("sent");
    expect(m.dispatches?.map((d) => d.status)).toEqual(["success"]);
  });

  it("never sends a message twice when several workers share the queue", async () => {
    await mail.clear();
    // A claim is exclusive until processing_timeout; this file's 1 s (for the crash tests) could run
    // out under a loaded machine and let a second worker take a slow send over, as designed for
    // crashed senders. Here the claim must be what keeps workers apart, so it does not expire.
    const sharing = {
      ...ctx,
      config: {
        ...ctx.config,
        courier: {
          ...ctx.config.courier,
          worker: { ...ctx.config.courier.worker, processing_timeout: 5 * 60_000 },
        },
      },
    };
    const workers = [1, 2, 3].map(() => startCourierWorker(sharing));
    try {
      const to = Array.from({ length: 15 }, (_, i) => `shared-${i}@example.com`);
      const ids = await Promise.all(to.map(enqueue));
      for (const w of workers) w.notify();
      for (const id of ids) await whenMessage(id, (m) => m.status === "sent", "sent");
      for (const id of ids) expect((await message(id)).dispatches).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 300));
      const got = (await mail.list()).map((m) => m.to[0]!.address).sort();
      expect(got).toEqual([...to].sort());
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });

  /** The file's context with another lease (`courier.worker.processing_timeout`). */
  const withLease = (ms: number): AppContext => ({
    ...ctx,
    config: {
      ...ctx.config,
      courier: { ...ctx.config.courier, worker: { ...ctx.config.courier.worker, processing_timeout: ms } },
    },
  });

  it("retries mail a dead process left in processing well within five minutes of a restart (default lease)", async () => {
    const lease = parseConfig(testConfig({ dsn: "memory://" })).courier.worker.processing_timeout;
    expect(lease).toBeLessThanOrEqual(60_000);
    // Claimed by a process that died 45 s ago (its lease last renewed then), and the core restarts.
    const id = uuid();
    const died = new Date(Date.now() - Math.max(lease, 30_000) - 15_000);
    await ctx.db.insert(courierMessages).values({
      id,
      recipient: "died-45s-ago@example.com",
      subject: "left behind",
      body: "left behind\n",
      templateType: "verification_code_valid",
      status: "processing",
      createdAt: died,
      updatedAt: died,
      nextAttemptAt: died,
    });
    const w = started(startCourierWorker(withLease(lease)));
    try {
      await mail.waitFor("died-45s-ago@example.com");
      const sent = await whenMessage(id, (m) => m.status === "sent", "sent");
      expect(sent.dispatches?.map((d) => d.status)).toEqual(["success"]);
    } finally {
      await w.stop();
    }
  });

  it("never lets a live worker's slow send be taken over: the lease is renewed while it sends", async () => {
    await mail.clear();
    // Lease 600 ms, send 2 s: without renewal the second worker would re-queue and send it again.
    let calls = 0;
    const slow = startCourierWorker(withLease(600), {
      sendMail: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 2_000));
        return {} as never;
      },
      close: () => {},
    });
    let other: CourierWorker | undefined;
    try {
      const id = await enqueue("slow-send@example.com");
      slow.notify();
      await until(async () => (calls > 0 ? true : undefined), "the slow send to start");
      // A second worker (another replica) polls the queue throughout the slow send.
      other = startCourierWorker(withLease(600));
      const sent = await whenMessage(id, (m) => m.status === "sent", "sent");
      expect(sent.dispatches?.map((d) => d.status)).toEqual(["success"]);
      expect(calls).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect((await mail.list()).filter((m) => m.to[0]?.address === "slow-send@example.com")).toHaveLength(0);
    } finally {
      await Promise.all([slow.stop(), other?.stop()]);
    }
  });

  it("backs off exponentially up to the configured maximum", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(ctx, n))).toEqual([300, 600, 1200, 2000, 2000]);
  });
});
