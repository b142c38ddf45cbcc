import { Configuration, FrontendApi } from "@ory/client-fetch";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2Grants, oauth2LoginSessions, selfserviceFlows } from "../../db/schema.ts";
import { CookieJar } from "../../testing/index.ts";
import {
  createClient,
  exchangeCode,
  type OAuth2TestCore,
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

const rows = async (table: typeof oauth2Grants | typeof oauth2LoginSessions | typeof selfserviceFlows) =>
  (await t.core.ctx.db.select({ n: count() }).from(table))[0]!.n;

describe("janitor", () => {
  it("deletes expired flows, dead grants and expired login sessions in batches, keeping what still counts", async () => {
    const api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
    for (let i = 0; i < 5; i++) await api.createNativeLoginFlow();
    expect(await rows(selfserviceFlows)).toBe(5);

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
    expect(await rows(oauth2Grants)).toBe(7);
    expect(await rows(oauth2LoginSessions)).toBe(7);

    // Nothing is expired yet.
    expect(await runJanitorOnce(t.core.ctx)).toEqual({
      selfservice_flows: 0,
      oauth2_grants: 0,
      oauth2_login_sessions: 0,
      oauth2_jwks: 0,
    });

    // 31 days later: flows (1h + 24h grace), tokens (720h refresh) and login sessions (1h) are all dead.
    const report = await runJanitorOnce(t.core.ctx, new Date(Date.now() + 31 * 24 * HOUR));
    expect(report).toMatchObject({ selfservice_flows: 5, oauth2_grants: 6, oauth2_login_sessions: 7 });
    const left = await t.core.ctx.db.select().from(oauth2Grants);
    expect(left).toHaveLength(1);
    expect(left[0]!.subject).toBe("keeper");
    expect(left[0]!.remember).toBe(true);
    expect(kept.code).toBeTruthy();
    // The remembered consent still skips consent for that subject.
    const [row] = await t.core.ctx.db.select().from(oauth2Grants).where(eq(oauth2Grants.subject, "keeper"));
    expect(row!.rememberUntil).toBeNull();
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
    const worker = await janitorStartHook(ctx);
    await new Promise((r) => setTimeout(r, 100));
    await worker!.stop();
  });
});
