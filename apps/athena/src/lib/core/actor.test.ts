import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { OlympusAdminApi } from "@olympus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTOR_HEADER, actorName, withActor, withActorHeader } from "./actor";

/*
 * Athena names the signed-in administrator on every state-changing admin call (the core's audit log
 * records it), and on no read. A real HTTP server records what arrives.
 */

let server: Server;
let base: string;
const seen: { method: string; actor: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const actor = req.headers[ACTOR_HEADER];
    seen.push({ method: req.method ?? "", actor: Array.isArray(actor) ? actor[0] : actor });
    res.writeHead(req.method === "DELETE" ? 204 : 200, { "content-type": "application/json" });
    res.end(req.method === "DELETE" ? undefined : "[]");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const api = () => new OlympusAdminApi(base, (input, init) => fetch(input, withActorHeader(input, init)));

describe("X-Olympus-Actor", () => {
  it("is sent on writes made while an administrator is known, and not on reads", async () => {
    seen.length = 0;
    await withActor("admin@demo.user", async () => {
      await api().unlock("someone@example.com");
      await api().lockouts();
      await fetch(
        `${base}/admin/identities/x`,
        withActorHeader(`${base}/admin/identities/x`, { method: "PATCH" }),
      );
    });
    expect(seen).toEqual([
      { method: "DELETE", actor: "admin@demo.user" },
      { method: "GET", actor: undefined },
      { method: "PATCH", actor: "admin@demo.user" },
    ]);
  });

  it("is not sent outside a request of an administrator", async () => {
    seen.length = 0;
    await api().unlock("someone@example.com");
    expect(seen).toEqual([{ method: "DELETE", actor: undefined }]);
  });

  it("keeps concurrent requests apart", async () => {
    seen.length = 0;
    await Promise.all([
      withActor("a@demo.user", () => api().unlock("x")),
      withActor("b@demo.user", () => api().unlock("y")),
    ]);
    expect(seen.map((s) => s.actor).sort()).toEqual(["a@demo.user", "b@demo.user"]);
  });

  it("names the administrator by email, or by IAM id when the email is not plain ASCII", () => {
    expect(actorName({ email: "admin@demo.user", sub: "u-1" })).toBe("admin@demo.user");
    expect(actorName({ email: "zoë@demo.user", sub: "u-2" })).toBe("u-2");
  });
});
