import { Configuration, FrontendApi } from "@ory/client-fetch";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  oauth2DeviceRequests,
  oauth2Grants,
  oauth2HandledRequests,
  oauth2Jtis,
  oauth2LoginSessions,
  selfserviceErrors,
  selfserviceFlows,
} from "../../db/schema.ts";
import { uuid } from "../../security/random.ts";
import { spendJti } from "../assertions/jti.ts";
import { CookieJar } from "../../testing/index.ts";
import {
  authorizeUrl,
  createClient,
  exchangeCode,
  location,
  pkce,
  type OAuth2TestCore,
  postForm,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";
import { runJanitorOnce } from "./janitor.ts";

let t: OAuth2TestCore;
let client: TestClient;
const HOUR = 3600_000;

beforeAll(async () => {
  // A small batch size makes the janitor loop over several rounds.
  t = await startOAuth2Core({ oauth2: { janitor: { batch_size: 2 } } });
  client = await createClient(t);
});
afterAll(() => t?.stop());

const rows = async (
  table:
    | typeof oauth2Grants
    | typeof oauth2LoginSessions
    | typeof selfserviceFlows
    | typeof selfserviceErrors
    | typeof oauth2HandledRequests,
) => (await t.core.ctx.db.select({ n: count() }).from(table))[0]!.n;

describe("janitor", () => {
  it("deletes expired flows, dead grants and expired login sessions in batches, keeping what still counts", async () => {
    const api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
    for (let i = 0; i < 5; i++) await api.createNativeLoginFlow();
    expect(await rows(selfserviceFlows)).toBe(5);
    // Three stored browser errors (what GET /self-service/errors?id= reads).
    for (let i = 0; i < 3; i++) {
      const now = new Date();
      await t.core.ctx.db
        .insert(selfserviceErrors)
        .values({ id: uuid(), error: { code: 400, message: `e${i}` }, createdAt: now, updatedAt: now });
    }

    // Five plain grants with tokens, and two remembered consents of one subject (only the newer counts).
    for (let i = 0; i < 5; i++) {
      const flow = await runAuthorization(t, client, { subject: `user-${i}` });
      expect((await exchangeCode(t, client, flow)).status).toBe(200);
    }
    const jar = new CookieJar();
    await runAuthorization(t, client, {
      jar,
      subject: "keeper",
      consent: { remember: true, remember_for: 0 },
    });
    const kept = await runAuthorization(t, client, {
      subject: "keeper",
      consent: { remember: true, remember_for: 0 },
      params: { prompt: "consent" },
    });
    // Two rejected login requests leave a mark each (they are final at once).
    for (let i = 0; i < 2; i++) {
      const started = await new CookieJar().fetch(
        authorizeUrl(t, {
          client_id: client.client_id,
          response_type: "code",
          redirect_uri: client.redirect_uris[0]!,
          scope: "openid",
          state: `janitor-state-${i}`,
          code_challenge: pkce().challenge,
          code_challenge_method: "S256",
        }),
      );
      const challenge = location(started).searchParams.get("login_challenge");
      const res = await t.admin(`/admin/oauth2/auth/requests/login/reject?login_challenge=${challenge}`, {
        method: "PUT",
        body: "{}",
      });
      expect(res.status).toBe(200);
    }
    expect(await rows(oauth2Grants)).toBe(7);
    expect(await rows(oauth2LoginSessions)).toBe(7);
    // Two rejections: redeemed verifiers leave no mark (their grant or login session spends them).
    expect(await rows(oauth2HandledRequests)).toBe(2);

    // Nothing is expired yet.
    expect(await runJanitorOnce(t.core.ctx)).toEqual({
      selfservice_flows: 0,
      selfservice_errors: 0,
      oauth2_grants: 0,
      oauth2_login_sessions: 0,
      oauth2_handled_requests: 0,
      oauth2_jwks: 0,
      oauth2_jtis: 0,
      oauth2_device_requests: 0,
    });
    expect(await rows(oauth2Grants)).toBe(7);
    expect(await rows(oauth2HandledRequests)).toBe(2);

    // 31 days later: flows (1h + 24h grace), tokens (720h refresh) and login sessions (1h) are all dead.
    const report = await runJanitorOnce(t.core.ctx, new Date(Date.now() + 31 * 24 * HOUR));
    expect(report).toMatchObject({
      selfservice_flows: 5,
      selfservice_errors: 3,
      oauth2_grants: 6,
      oauth2_login_sessions: 7,
      oauth2_handled_requests: 2,
    });
    expect(await rows(selfserviceFlows)).toBe(0);
    expect(await rows(selfserviceErrors)).toBe(0);
    expect(await rows(oauth2LoginSessions)).toBe(0);
    expect(await rows(oauth2HandledRequests)).toBe(0);
    expect(await rows(oauth2Grants)).toBe(1);
    const left = await t.core.ctx.db.select().from(oauth2Grants);
    expect(left).toHaveLength(1);
    expect(left[0]!.subject).toBe("keeper");
    expect(left[0]!.remember).toBe(true);
    expect(kept.code).toBeTruthy();
    // The remembered consent still skips consent for that subject.
    const [row] = await t.core.ctx.db.select().from(oauth2Grants).where(eq(oauth2Grants.subject, "keeper"));
    expect(row!.rememberUntil).toBeNull();
  });

  it("keeps an expired login session while its login request may still be live (its row spends that request's verifier)", async () => {
    const id = uuid();
    const now = Date.now();
    await t.core.ctx.db.insert(oauth2LoginSessions).values({
      id,
      subject: "short-lived",
      remember: true,
      authenticatedAt: new Date(now - 60_000),
      expiresAt: new Date(now - 30_000),
    });
    const exists = async () =>
      (await t.core.ctx.db.select().from(oauth2LoginSessions).where(eq(oauth2LoginSessions.id, id))).length;
    await runJanitorOnce(t.core.ctx, new Date(now));
    expect(await exists()).toBe(1);
    // Past ttl.login_consent_request (30m) after the login: no verifier can be redeemed any more.
    await runJanitorOnce(t.core.ctx, new Date(now + 31 * 60_000));
    expect(await exists()).toBe(0);
  });

  it("keeps a dead grant while its consent request may still be live (its row spends that request's verifier)", async () => {
    const id = uuid();
    const now = Date.now();
    await t.core.ctx.db.insert(oauth2Grants).values({
      id,
      kind: "authorization_code",
      clientId: client.client_id,
      subject: "short-grant",
      clientSubject: "short-grant",
      consentChallengeId: uuid().replace(/-/g, ""),
      grantedScope: ["openid"],
      grantedAudience: [],
      accessTokenClaims: {},
      idTokenClaims: {},
      request: {},
      requestedAt: new Date(now - 60_000),
      expiresAt: new Date(now - 30_000),
    });
    const exists = async () =>
      (await t.core.ctx.db.select().from(oauth2Grants).where(eq(oauth2Grants.id, id))).length;
    await runJanitorOnce(t.core.ctx, new Date(now));
    expect(await exists()).toBe(1);
    // Past ttl.login_consent_request (30m) after the request: its consent verifier has expired.
    await runJanitorOnce(t.core.ctx, new Date(now + 31 * 60_000));
    expect(await exists()).toBe(0);
  });

  it("forgets a used jti once its assertion has expired, not before", async () => {
    const now = Date.now();
    expect(await spendJti(t.core.ctx.db, "client", "janitor-client", "jti-1", new Date(now + 60_000))).toBe(
      true,
    );
    const left = async () => (await t.core.ctx.db.select().from(oauth2Jtis)).length;
    const before = await left();
    await runJanitorOnce(t.core.ctx, new Date(now));
    expect(await left()).toBe(before);
    await runJanitorOnce(t.core.ctx, new Date(now + 61_000));
    expect(await left()).toBe(before - 1);
  });

  it("deletes a device request once it has expired (ttl.device_user_code), not before", async () => {
    const device = await createClient(t, {
      grant_types: ["urn:ietf:params:oauth:grant-type:device_code"],
      token_endpoint_auth_method: "none",
      redirect_uris: [],
      scope: "read",
    });
    const res = await postForm(t, "/oauth2/device/auth", { client_id: device.client_id });
    expect(res.status).toBe(200);
    const left = async () => (await t.core.ctx.db.select().from(oauth2DeviceRequests)).length;
    const before = await left();
    expect(before).toBeGreaterThan(0);
    expect((await runJanitorOnce(t.core.ctx, new Date(Date.now() + 9 * 60_000))).oauth2_device_requests).toBe(
      0,
    );
    expect(await left()).toBe(before);
    expect(
      (await runJanitorOnce(t.core.ctx, new Date(Date.now() + 11 * 60_000))).oauth2_device_requests,
    ).toBe(before);
    expect(await left()).toBe(0);
  });

  it("runs from the start hook on its interval and stops cleanly", async () => {
    const { janitorStartHook } = await import("./janitor.ts");
    const ctx = {
      ...t.core.ctx,
      config: {
        ...t.core.ctx.config,
        oauth2: {
          ...t.core.ctx.config.oauth2,
          janitor: { ...t.core.ctx.config.oauth2.janitor, interval: 20 },
        },
      },
    };
    // A stored error past the grace period: the first pass of the hook deletes it.
    const stale = async () => {
      const id = uuid();
      const at = new Date(Date.now() - ctx.config.oauth2.janitor.keep_expired_flows_for - HOUR);
      await ctx.db
        .insert(selfserviceErrors)
        .values({ id, error: { code: 400, message: "stale" }, createdAt: at, updatedAt: at });
      return async () =>
        (await ctx.db.select().from(selfserviceErrors).where(eq(selfserviceErrors.id, id))).length;
    };
    const first = await stale();
    const worker = await janitorStartHook(ctx);
    expect(worker).toBeDefined();
    const deadline = Date.now() + 10_000;
    while ((await first()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await first()).toBe(0);

    // Stopped, it runs no more passes: a row as stale as the first stays through many intervals.
    await worker!.stop();
    const second = await stale();
    await new Promise((r) => setTimeout(r, 200));
    expect(await second()).toBe(1);
  });

  it("does not start when disabled", async () => {
    const { janitorStartHook } = await import("./janitor.ts");
    const oauth2 = t.core.ctx.config.oauth2;
    const ctx = {
      ...t.core.ctx,
      config: { ...t.core.ctx.config, oauth2: { ...oauth2, janitor: { ...oauth2.janitor, enabled: false } } },
    };
    expect(await janitorStartHook(ctx)).toBeUndefined();
  });
});
