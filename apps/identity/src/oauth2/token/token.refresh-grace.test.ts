import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/index.ts";
import { oauth2Grants } from "../../db/schema.ts";
import {
  createClient,
  exchangeCode,
  introspect,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
  tokenRequest,
} from "../test-helpers.ts";
import { parseToken } from "./tokens.ts";

/*
 * oauth2.grant.refresh_token.rotation_grace_period > 0: the refresh token rotated last may be presented
 * again within the window (a client that never got the answer retries) and gets a fresh token pair;
 * outside the window, or for an older token, reuse still revokes the chain.
 */

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core({ oauth2: { grant: { refresh_token: { rotation_grace_period: "1m" } } } });
});
afterAll(() => t?.stop());

interface Tokens {
  access_token: string;
  refresh_token: string;
  id_token?: string;
}

async function issue(client: TestClient): Promise<Tokens> {
  const res = await exchangeCode(t, client, await runAuthorization(t, client));
  expect(res.status).toBe(200);
  return (await res.json()) as Tokens;
}

const refresh = (client: TestClient, token: string) =>
  tokenRequest(t, client, { grant_type: "refresh_token", refresh_token: token });

async function refreshed(client: TestClient, token: string): Promise<Tokens> {
  const res = await refresh(client, token);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Tokens;
}

/** Moves the grant's last rotation into the past, as if `ms` had passed. */
async function age(token: string, ms: number): Promise<void> {
  const grantId = parseToken(t.core.oauth2.o2, "ory_rt_", token)!.grantId;
  await t.core.ctx.db
    .update(oauth2Grants)
    .set({ refreshedAt: sql`${oauth2Grants.refreshedAt} - make_interval(secs => ${ms / 1000})` })
    .where(eq(oauth2Grants.id, grantId));
}

describe("refresh token rotation grace period", () => {
  it("the token rotated last, presented again within the window, gets a fresh pair", async () => {
    const client = await createClient(t);
    const first = await issue(client);
    const second = await refreshed(client, first.refresh_token);
    const retried = await refreshed(client, first.refresh_token);
    expect(retried.refresh_token).not.toBe(second.refresh_token);
    expect(retried.access_token).not.toBe(second.access_token);
    expect(retried.id_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(await introspect(t, retried.access_token)).toMatchObject({ active: true });
    // The fresh pair replaced the one the client never got: the chain goes on from it.
    expect(await introspect(t, second.access_token)).toEqual({ active: false });
    const next = await refreshed(client, retried.refresh_token);
    expect(await introspect(t, next.access_token)).toMatchObject({ active: true });
  });

  it("outside the window, reuse revokes the chain as without a grace period", async () => {
    const client = await createClient(t);
    const first = await issue(client);
    const second = await refreshed(client, first.refresh_token);
    await age(second.refresh_token, 61_000);
    const reuse = await refresh(client, first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
    expect(await introspect(t, second.access_token)).toEqual({ active: false });
    expect((await refresh(client, second.refresh_token)).status).toBe(400);
  });

  it("an older token than the one rotated last still revokes the chain within the window", async () => {
    const client = await createClient(t);
    const first = await issue(client);
    const second = await refreshed(client, first.refresh_token);
    const third = await refreshed(client, second.refresh_token);
    const reuse = await refresh(client, first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await introspect(t, third.access_token)).toEqual({ active: false });
  });

  it("a token of another client gets nothing, and its owner's chain stays", async () => {
    const owner = await createClient(t);
    const other = await createClient(t);
    const first = await issue(owner);
    const second = await refreshed(owner, first.refresh_token);
    const stolen = await refresh(other, first.refresh_token);
    expect(stolen.status).toBe(400);
    expect(await introspect(t, second.access_token)).toMatchObject({ active: true });
  });
});

describe("configuration", () => {
  const minimal = { identity: { schemas: [{ id: "default", url: "base64://e30=" }] } };
  it("defaults to 0s and refuses more than 5m", () => {
    expect(parseConfig(minimal).oauth2.grant.refresh_token.rotation_grace_period).toBe(0);
    expect(
      parseConfig({ ...minimal, oauth2: { grant: { refresh_token: { rotation_grace_period: "30s" } } } })
        .oauth2.grant.refresh_token.rotation_grace_period,
    ).toBe(30_000);
    expect(() =>
      parseConfig({ ...minimal, oauth2: { grant: { refresh_token: { rotation_grace_period: "10m" } } } }),
    ).toThrow(/rotation_grace_period/);
  });
});
