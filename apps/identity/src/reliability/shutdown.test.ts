import net from "node:net";
import { createTestDatabase, type TestDatabase } from "@olympus/testdb";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, type MailCatcher, startMailCatcher } from "../testing/index.ts";
import { type ChildCore, spawnCore, within, writeChildConfig, writeSummary } from "./child.ts";

/**
 * Graceful shutdown of the real core process (`tsx src/main.ts serve`), on PostgreSQL or on a PGlite
 * data directory (the child is then its only user):
 * - SIGTERM with password logins (argon2) in flight: the listening sockets close at once (new
 *   connections are refused), every request in flight answers 200, mail that is due is delivered
 *   before the process exits (flush), and it exits 0 within the deadline;
 * - a request that cannot finish (its body never arrives) is cut at `--shutdown-timeout` and the
 *   process exits 1 with a log line saying so;
 * - a port already in use makes the process exit 1 with a log line naming the port, not hang.
 */
const stats = { requests: 0, faults: 0, errors: 0, lost: 0 };
const PASSWORD = "a long passphrase 42";

/** An HTTP/1.1 request written in full except its last byte; `finish` sends it and reads the answer. */
async function heldRequest(url: string, path: string, body: unknown) {
  const u = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const head =
    `POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\n` +
    `Accept: application/json\r\nContent-Length: ${payload.length}\r\nConnection: close\r\n\r\n`;
  const socket = net.connect(Number(u.port), u.hostname);
  const chunks: Buffer[] = [];
  const closed = new Promise<string>((resolve) => {
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => {});
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve).once("error", reject);
  });
  socket.write(Buffer.concat([Buffer.from(head), payload.subarray(0, -1)]));
  return {
    closed,
    /** Sends the last byte and resolves with the status code and JSON body (status 0 when cut). */
    async finish(): Promise<{ status: number; body: any }> {
      socket.write(payload.subarray(-1));
      const raw = await closed;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
      const text = raw.slice(raw.indexOf("\r\n\r\n") + 4);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = text;
      }
      return { status, body: json };
    },
  };
}

/** Resolves true once a new TCP connection to `url` is refused. */
function refused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname);
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e) => resolve((e as NodeJS.ErrnoException).code === "ECONNREFUSED"));
  });
}

async function json(res: Response) {
  stats.requests++;
  return { status: res.status, body: (await res.json()) as any };
}

async function register(child: ChildCore, email: string) {
  const flow = await json(await fetch(`${child.publicUrl}/self-service/registration/api`));
  const res = await json(
    await fetch(`${child.publicUrl}/self-service/registration?flow=${flow.body.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ method: "password", password: PASSWORD, traits: { email } }),
    }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe("graceful shutdown", () => {
  let database: TestDatabase;
  let child: ChildCore | undefined;
  let mail: MailCatcher | undefined;

  beforeAll(async () => {
    database = await createTestDatabase("olympus_identity");
  });
  afterEach(async () => {
    await child?.kill();
    child = undefined;
    await mail?.stop();
    mail = undefined;
  });
  afterAll(async () => {
    await database?.drop();
    await writeSummary("shutdown", stats);
  });

  it("SIGTERM: refuses new connections, finishes requests in flight, flushes the courier, exits 0", {
    timeout: 60_000,
  }, async () => {
    // SMTP is down at first, so the verification mail of the registration fails once and waits for
    // its retry; the worker polls only every hour, so only the shutdown flush can deliver it.
    const smtpPort = await freePort();
    const config = writeChildConfig({
      dsn: database.dsn,
      overrides: {
        courier: {
          smtp: { connection_uri: `smtp://127.0.0.1:${smtpPort}/?disable_starttls=true` },
          worker: { enabled: true, poll_interval: "1h", retry_backoff: "200ms" },
        },
      },
    });
    child = await spawnCore(config);
    const c = child;
    const emails = ["shut-0@example.com", "shut-1@example.com", "shut-2@example.com"];
    for (const e of emails) await register(c, e);
    const failedOnce = await within(10_000, async () => {
      const q = await json(await fetch(`${c.adminUrl}/admin/courier/messages?status=queued`));
      return q.body.length === emails.length && q.body.every((m: any) => m.send_count >= 1);
    });
    expect(failedOnce).toBe(true);
    stats.faults++; // SMTP down while the mail was first sent
    mail = await startMailCatcher({ smtpPort });
    await new Promise((r) => setTimeout(r, 500)); // the retry is due now; nobody wakes the worker
    expect(await mail.list()).toHaveLength(0);

    // Password logins held in flight: everything sent but the last byte of the body.
    const held = [];
    for (const e of emails) {
      const flow = await json(await fetch(`${c.publicUrl}/self-service/login/api`));
      held.push(
        await heldRequest(c.publicUrl, `/self-service/login?flow=${flow.body.id}`, {
          method: "password",
          identifier: e,
          password: PASSWORD,
        }),
      );
    }
    const signalled = Date.now();
    c.proc.kill("SIGTERM");
    stats.faults++;
    // The listener closes at once: a new connection is refused while the logins are still pending.
    const refusedNew = await within(5_000, () => refused(c.publicUrl));
    stats.requests++;
    expect(refusedNew).toBe(true);
    expect(await refused(c.adminUrl)).toBe(true);

    const answers = await Promise.all(held.map((h) => h.finish()));
    stats.requests += answers.length;
    for (const a of answers) {
      if (a.status !== 200) stats.errors++;
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      expect(a.body.session_token).toEqual(expect.any(String));
    }
    const exit = await c.exited;
    const took = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(10_000);
    // Flushed before exit: every verification mail is in the catcher now.
    const delivered = (await mail.list()).flatMap((m) => m.to.map((t) => t.address));
    const missing = emails.filter((e) => !delivered.includes(e));
    stats.lost += missing.length;
    expect(missing).toEqual([]);
    expect(c.logs.map((l) => l.msg)).toEqual(expect.arrayContaining(["shutting down", "shut down"]));
  });

  it("past --shutdown-timeout, a request that cannot finish is cut and the process exits 1", {
    timeout: 60_000,
  }, async () => {
    child = await spawnCore(writeChildConfig({ dsn: database.dsn }), { args: ["--shutdown-timeout", "1s"] });
    const c = child;
    const flow = await json(await fetch(`${c.publicUrl}/self-service/login/api`));
    const stuck = await heldRequest(c.publicUrl, `/self-service/login?flow=${flow.body.id}`, {
      method: "password",
      identifier: "nobody@example.com",
      password: PASSWORD,
    });
    stats.requests++;
    const signalled = Date.now();
    c.proc.kill("SIGTERM");
    stats.faults += 2; // the signal and a client that never sends the rest of its body
    const exit = await c.exited;
    const took = Date.now() - signalled;
    expect(exit.code).toBe(1);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(6_000);
    expect(await stuck.closed).toBe(""); // cut, no answer
    expect(
      c.logs.some((l) => l.level === "error" && String(l.msg).includes("shutdown deadline exceeded")),
    ).toBe(true);
  });

  it("a port in use: the process exits 1 naming the port instead of hanging", {
    timeout: 60_000,
  }, async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      mail = await startMailCatcher();
      child = await spawnCore(
        writeChildConfig({ dsn: database.dsn, mail, overrides: { serve: { admin: { port } } } }),
        { waitReady: false },
      );
      stats.faults++;
      const exit = await Promise.race([
        child.exited,
        new Promise<"hung">((r) => setTimeout(() => r("hung"), 40_000)),
      ]);
      expect(exit).toEqual({ code: 1, signal: null });
      const line = child.logs.find((l) => l.msg === "identity core could not start");
      expect(line?.error).toContain(`127.0.0.1:${port}`);
      expect(line?.error).toContain("address already in use");
      expect(child.logs.some((l) => "raw" in l && String(l.raw).includes("    at "))).toBe(false);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
