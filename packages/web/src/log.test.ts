import { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import {
  createLogger,
  currentRequestId,
  fetchWithRequestId,
  installRequestLogging,
  quietNextPath,
  REQUEST_ID,
  requestIdFor,
  routeConsole,
} from "./log.mjs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function capture() {
  const lines: Array<{ level: string; entry: Record<string, unknown> }> = [];
  const logger = createLogger("hera", {
    write: (line, level) => {
      expect(line.endsWith("\n")).toBe(true);
      expect(line.slice(0, -1)).not.toContain("\n");
      lines.push({ level, entry: JSON.parse(line) });
    },
  });
  return { lines, logger };
}

it("writes one JSON object per line whose time, level, service and msg no field can override", () => {
  const { lines, logger } = capture();
  logger.info("started", { port: 3000, msg: "forged", level: "debug", service: "other" });
  logger.error("failed", { err: new Error("boom\nsecond line") });
  expect(lines).toHaveLength(2);
  const [first, second] = lines;
  expect(first!.entry).toMatchObject({ level: "info", service: "hera", msg: "started", port: 3000 });
  expect(Number.isNaN(Date.parse(String(first!.entry.time)))).toBe(false);
  expect(second!.level).toBe("error");
  expect(second!.entry.err).toMatchObject({ name: "Error", message: "boom\nsecond line" });
});

it("survives fields that cannot be serialised", () => {
  const { lines, logger } = capture();
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  logger.warn("odd", { loop });
  expect(lines[0]!.entry).toMatchObject({ level: "warn", msg: "odd", fields: "unserialisable" });
});

it("routes console output through the logger, formatted as console would print it", () => {
  const { lines, logger } = capture();
  const fake = { log() {}, info() {}, debug() {}, warn() {}, error() {} } as unknown as Console;
  routeConsole(logger, fake);
  routeConsole(logger, fake);
  fake.log("▲ Next.js %s", "16");
  fake.error("[athena] failed:", new Error("x").message, 42);
  expect(lines.map((l) => [l.entry.level, l.entry.msg])).toEqual([
    ["info", "▲ Next.js 16"],
    ["error", "[athena] failed: x 42"],
  ]);
});

it("keeps a caller's request id only when trusted and well formed", () => {
  expect(requestIdFor("abcdef12-trace.1:2", true)).toBe("abcdef12-trace.1:2");
  expect(requestIdFor(["abcdef12-trace", "other-one"], true)).toBe("abcdef12-trace");
  for (const bad of [
    "short",
    "x".repeat(129),
    "has space in it",
    "new\nline-injected",
    "<script>alert</script>",
    "",
  ]) {
    expect(requestIdFor(bad, true)).toMatch(UUID);
  }
  expect(requestIdFor("abcdef12-trace", false)).toMatch(UUID);
  expect(requestIdFor(undefined, true)).toMatch(UUID);
  expect(REQUEST_ID.test(requestIdFor(undefined, false))).toBe(true);
});

it("leaves static assets and health probes out of the request log", () => {
  expect(quietNextPath("/_next/static/chunks/a.js")).toBe(true);
  expect(quietNextPath("/api/health")).toBe(true);
  expect(quietNextPath("/favicon.ico")).toBe(true);
  expect(quietNextPath("/login")).toBe(false);
  expect(quietNextPath("/api/healthy-looking")).toBe(true);
});

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(trustIncoming: boolean, handler: (id: string | undefined) => number) {
  const { lines, logger } = capture();
  class AppServer extends Server {}
  installRequestLogging(AppServer.prototype, { logger, trustIncoming, quiet: quietNextPath });
  installRequestLogging(AppServer.prototype, { logger, trustIncoming, quiet: quietNextPath });
  const seen: Array<string | undefined> = [];
  const server = new AppServer((req, res) => {
    const id = req.headers["x-request-id"] as string | undefined;
    seen.push(id);
    res.statusCode = handler(id);
    res.end("ok");
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, lines, seen };
}

it("gives each request an id the app reads from X-Request-Id, answers with it and logs one line", async () => {
  const { base, lines, seen } = await serve(false, () => 404);
  const res = await fetch(`${base}/login?flow=secret-token`, {
    headers: { "x-request-id": "forged-by-a-browser" },
  });
  expect(res.status).toBe(404);
  const id = res.headers.get("x-request-id");
  expect(id).toMatch(UUID);
  expect(seen).toEqual([id]);
  await expect.poll(() => lines.length).toBe(1);
  expect(lines[0]!.entry).toMatchObject({
    service: "hera",
    msg: "request",
    request_id: id,
    method: "GET",
    path: "/login",
    status: 404,
  });
  expect(typeof lines[0]!.entry.duration_ms).toBe("number");
  expect(JSON.stringify(lines[0]!.entry)).not.toContain("secret-token");

  const asset = await fetch(`${base}/_next/static/x.js`);
  expect(asset.headers.get("x-request-id")).toMatch(UUID);
  await new Promise((r) => setTimeout(r, 50));
  expect(lines).toHaveLength(1);
});

it("keeps a well-formed id from a trusted proxy", async () => {
  const { base, lines, seen } = await serve(true, () => 200);
  const res = await fetch(`${base}/`, { headers: { "x-request-id": "proxy-assigned-0001" } });
  expect(res.headers.get("x-request-id")).toBe("proxy-assigned-0001");
  expect(seen).toEqual(["proxy-assigned-0001"]);
  await expect.poll(() => lines[0]?.entry.request_id).toBe("proxy-assigned-0001");
});

it("sends the current request's id on to the service it calls, and nothing malformed", async () => {
  const received: Array<{ id: string | undefined; cookie: string | undefined }> = [];
  const core = new Server((req, res) => {
    received.push({ id: req.headers["x-request-id"] as string | undefined, cookie: req.headers.cookie });
    res.end("{}");
  });
  servers.push(core);
  await new Promise<void>((r) => core.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(core.address() as AddressInfo).port}/sessions/whoami`;
  let current: string | undefined = "5b0e4a52-1f7c-4c39-9d7a-0c5e8f1d2a3b";
  const f = fetchWithRequestId(fetch, async () => current);
  await f(url, { headers: { cookie: "a=b" } });
  current = "bad id\r\nx-injected: 1";
  await f(url, { headers: { cookie: "a=b" } });
  const outside = fetchWithRequestId(fetch, async () => {
    throw new Error("headers() outside a request");
  });
  await outside(url);
  current = "from-request-object";
  await f(new Request(url, { headers: { cookie: "c=d" } }));
  expect(received).toEqual([
    { id: "5b0e4a52-1f7c-4c39-9d7a-0c5e8f1d2a3b", cookie: "a=b" },
    { id: undefined, cookie: "a=b" },
    { id: undefined, cookie: undefined },
    { id: "from-request-object", cookie: "c=d" },
  ]);
});

it("carries the id through the request's async work to the calls the app makes", async () => {
  const received: Array<string | undefined> = [];
  const core = new Server((req, res) => {
    received.push(req.headers["x-request-id"] as string | undefined);
    res.end("{}");
  });
  servers.push(core);
  await new Promise<void>((r) => core.listen(0, "127.0.0.1", r));
  const coreUrl = `http://127.0.0.1:${(core.address() as AddressInfo).port}/`;
  const callCore = fetchWithRequestId(fetch);

  const { logger } = capture();
  class AppServer extends Server {}
  installRequestLogging(AppServer.prototype, { logger });
  const app = new AppServer(async (req, res) => {
    await new Promise((r) => setTimeout(r, 20));
    await callCore(coreUrl);
    res.setHeader("x-seen", String(currentRequestId() === req.headers["x-request-id"]));
    res.end();
  });
  servers.push(app);
  await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const [a, b] = await Promise.all([fetch(`${base}/a`), fetch(`${base}/b`)]);
  expect(a.headers.get("x-seen")).toBe("true");
  expect(b.headers.get("x-seen")).toBe("true");
  expect(new Set(received)).toEqual(new Set([a.headers.get("x-request-id"), b.headers.get("x-request-id")]));
  expect(currentRequestId()).toBeUndefined();
  await callCore(coreUrl);
  expect(received[2]).toBeUndefined();
});
