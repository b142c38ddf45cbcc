import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserSignIn, CookieJar, createPerson, type GuideCore, startGuideCore } from "../../src/core";
import { createApp } from "./app";

let t: GuideCore;
let server: Server;
let appUrl: string;
const LOGIN = "http://127.0.0.1:4455/login";

beforeAll(async () => {
  t = await startGuideCore();
  server = createApp({ olympusUrl: t.publicUrl, loginUrl: LOGIN }).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await t?.stop();
});

describe("guide: Express with @ory/client", () => {
  it("sends a visitor without a session to sign in, with the page to come back to", async () => {
    const res = await fetch(`${appUrl}/?tab=1`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location")!);
    expect(to.origin + to.pathname).toBe(LOGIN);
    expect(to.searchParams.get("return_to")).toBe(`${appUrl}/?tab=1`);
  });

  it("refuses forged and foreign session cookies the same way", async () => {
    for (const cookie of ["olympus_test_session=forged", "olympus_test_session=", "x".repeat(5000)]) {
      const res = await fetch(appUrl, { headers: { cookie }, redirect: "manual" });
      expect(res.status, cookie.slice(0, 30)).toBe(302);
    }
  });

  it("greets a signed-in person (whoami with the browser's cookies), then signs them out", async () => {
    const id = await createPerson(t, "express@example.com");
    const jar = await browserSignIn(t, "express@example.com");
    const res = await jar.fetch(appUrl);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { hello: string; identity: string; since: string };
    expect(body).toMatchObject({ hello: "express@example.com", identity: id });
    expect(Date.parse(body.since)).toBeGreaterThan(Date.now() - 60_000);

    const out = await jar.fetch(`${appUrl}/logout`);
    expect(out.status).toBe(302);
    // The core names itself by its configured base URL (localhost); the test reaches it at 127.0.0.1.
    const logoutUrl = new URL(out.headers.get("location")!);
    expect(logoutUrl.port).toBe(new URL(t.publicUrl).port);
    expect(logoutUrl.pathname).toBe("/self-service/logout");
    expect(logoutUrl.searchParams.get("token")).toMatch(/^ory_lo_/);
    const done = await jar.fetch(`${t.publicUrl}${logoutUrl.pathname}${logoutUrl.search}`);
    expect(done.status).toBe(303);
    expect((await jar.fetch(appUrl)).status).toBe(302);
  });

  it("a session from another browser is not this one's", async () => {
    await createPerson(t, "express-other@example.com");
    const theirs = await browserSignIn(t, "express-other@example.com");
    const mine = new CookieJar();
    expect((await mine.fetch(appUrl)).status).toBe(302);
    expect((await theirs.fetch(appUrl)).status).toBe(200);
  });
});
