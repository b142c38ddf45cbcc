import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { oauth2HandledRequests } from "../../db/schema.ts";
import { CookieJar } from "../../testing/index.ts";
import {
  createClient,
  exchangeCode,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

let t: OAuth2TestCore;
let client: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { janitor: { enabled: false } } });
  client = await createClient(t);
});
afterAll(() => t?.stop());

/** Counts the database writes (statements) of `fn`, by table and operation. */
async function countWrites(fn: () => Promise<void>): Promise<{ total: number; writes: string[] }> {
  const writes: string[] = [];
  const writeObserver = t.core.ctx.db.$olympus.writes;
  const stop = writeObserver.onTableWrite((table, op) => writes.push(`${op} ${table}`));
  const before = writeObserver.writes;
  try {
    await fn();
  } finally {
    stop();
  }
  return { total: writeObserver.writes - before, writes };
}

/** Rows in oauth2_handled_requests (the marks some statements insert besides their main row). */
async function marks(): Promise<number> {
  const [row] = await t.core.ctx.db.select({ n: count() }).from(oauth2HandledRequests);
  return row!.n;
}

describe("database writes per authorization-code flow", () => {
  it("authorize → login accept → consent accept → token writes 3 statements and 3 rows (login session, grant, redemption)", async () => {
    const before = await marks();
    const { total, writes } = await countWrites(async () => {
      const flow = await runAuthorization(t, client, { jar: new CookieJar() });
      expect((await exchangeCode(t, client, flow)).status).toBe(200);
    });
    expect(total).toBe(3);
    // One INSERT of the login session (its primary key spends the login verifier), one INSERT of the
    // grant with its code (its unique consent id spends the consent verifier), one UPDATE redeeming
    // the code. No mark: those are written only by rejections and by DELETEs of sessions and grants.
    expect(writes).toEqual(["insert oauth2_login_sessions", "insert oauth2_grants", "update oauth2_grants"]);
    expect(writes.every((w) => / oauth/.test(w))).toBe(true);
    // Rows: 1 login session + 1 grant + 1 updated grant = 3.
    expect((await marks()) - before).toBe(0);
  });

  it("with a remembered login the flow writes 3 statements and 3 rows (login mark, grant, redemption)", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar });
    const before = await marks();
    const { writes } = await countWrites(async () => {
      const flow = await runAuthorization(t, client, { jar });
      expect((await exchangeCode(t, client, flow)).status).toBe(200);
    });
    // No login session is written, so the login verifier is marked spent on its own (1 row); the
    // grant is 1 row and the redemption updates it.
    expect(writes).toEqual([
      "insert oauth2_handled_requests",
      "insert oauth2_grants",
      "update oauth2_grants",
    ]);
    expect((await marks()) - before).toBe(1);
  });

  it("a refresh is one write", async () => {
    const flow = await runAuthorization(t, client);
    const tokens = (await (await exchangeCode(t, client, flow)).json()) as { refresh_token: string };
    const { total } = await countWrites(async () => {
      const res = await fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: tokens.refresh_token }),
      });
      expect(res.status).toBe(200);
    });
    expect(total).toBe(1);
  });
});
