import { createServer, request, Server, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forwardToCore } from "./forward";
import { installPeerForwarding, PEER_HEADER } from "./peer";

/**
 * Red-team finding 3: Hera copied the browser's X-Forwarded-For to the identity core unchanged, so a
 * client could name any address (rotating past rate limits, claiming 127.0.0.1, locking out others).
 * A real Node HTTP server with the hook installed, as instrumentation.ts installs it in Next's, and
 * clients connecting from distinct loopback addresses.
 */

let server: Server;
let url: string;
let seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  installPeerForwarding(Server.prototype);
  installPeerForwarding(Server.prototype); // idempotent: one address appended, not two
  server = createServer((req, res) => {
    seen.push({ ...req.headers });
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.ory/self-service/login?flow=x`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function send(from: string, headers: Record<string, string>): Promise<IncomingHttpHeaders> {
  seen = [];
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress: from, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(seen[0]!));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Hera appends the address the browser connected from", () => {
  it("adds the peer when the browser sent no X-Forwarded-For", async () => {
    const h = await send("127.0.0.9", {});
    expect(h["x-forwarded-for"]).toBe("127.0.0.9");
    expect(h[PEER_HEADER]).toBe("127.0.0.9");
  });

  it("appends the peer after whatever the browser claimed (127.0.0.1, rotating addresses)", async () => {
    expect((await send("127.0.0.9", { "x-forwarded-for": "127.0.0.1" }))["x-forwarded-for"]).toBe(
      "127.0.0.1, 127.0.0.9",
    );
    for (const claimed of ["198.51.100.1", "198.51.100.2, 10.0.0.1"]) {
      const h = await send("127.0.0.10", { "x-forwarded-for": claimed });
      expect(h["x-forwarded-for"]).toBe(`${claimed}, 127.0.0.10`);
    }
  });

  it("replaces a peer header the browser sent itself", async () => {
    const h = await send("127.0.0.11", { [PEER_HEADER]: "203.0.113.1" });
    expect(h[PEER_HEADER]).toBe("127.0.0.11");
  });

  it("forwards the appended chain to the core, without the internal peer header", async () => {
    const h = await send("127.0.0.12", { "x-forwarded-for": "127.0.0.1" });
    let upstream: Headers | undefined;
    const fetchImpl = (async (_url: URL, init: RequestInit) => {
      upstream = new Headers(init.headers);
      return new Response("{}", { status: 200 });
    }) as unknown as typeof fetch;
    const headers = new Headers();
    for (const [k, v] of Object.entries(h)) if (typeof v === "string") headers.set(k, v);
    const res = await forwardToCore(new Request(url, { headers }), {
      corePublicUrl: "http://127.0.0.1:1",
      publicUrl: "http://localhost:3000",
      fetchImpl,
    });
    expect(res.status).toBe(200);
    expect(upstream!.get("x-forwarded-for")).toBe("127.0.0.1, 127.0.0.12");
    expect(upstream!.has(PEER_HEADER)).toBe(false);
  });

  it("refuses to forward a request the hook did not see (503), so a claimed address never reaches the core alone", async () => {
    let called = false;
    const fetchImpl = (async () => {
      called = true;
      return new Response("{}");
    }) as unknown as typeof fetch;
    const res = await forwardToCore(new Request(url, { headers: { "x-forwarded-for": "127.0.0.1" } }), {
      corePublicUrl: "http://127.0.0.1:1",
      publicUrl: "http://localhost:3000",
      fetchImpl,
    });
    expect(res.status).toBe(503);
    expect(called).toBe(false);
  });
});
