import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core();
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

describe("refresh token rotation", () => {
  it("each refresh rotates both tokens and carries a new ID token", async () => {
    const client = await createClient(t);
    const first = await issue(client);
    const res = await refresh(client, first.refresh_token);
    expect(res.status).toBe(200);
    const second = (await res.json()) as Tokens;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.id_token).toBeTruthy();
    expect(await introspect(t, first.refresh_token)).toEqual({ active: false });
    expect(await introspect(t, second.access_token)).toMatchObject({ active: true });
  });

  it("reusing a rotated refresh token revokes the whole chain", async () => {
    const client = await createClient(t);
    const first = await issue(client);
    const second = (await (await refresh(client, first.refresh_token)).json()) as Tokens;
    const third = (await (await refresh(client, second.refresh_token)).json()) as Tokens;
    expect(await introspect(t, third.access_token)).toMatchObject({ active: true });

    const reuse = await refresh(client, first.refresh_token);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
    // The thief's and the owner's latest tokens are all dead now.
    expect(await introspect(t, third.access_token)).toEqual({ active: false });
    expect(await introspect(t, third.refresh_token)).toEqual({ active: false });
    expect((await refresh(client, third.refresh_token)).status).toBe(400);
  });

  it("parallel refreshes with one token: exactly one wins and its tokens stay valid", async () => {
    const client = await createClient(t);
    const first = await issue(client);
    const answers = await Promise.all(Array.from({ length: 5 }, () => refresh(client, first.refresh_token)));
    const ok = answers.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of answers.filter((a) => a.status !== 200)) {
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toBe("invalid_grant");
    }
    const winner = (await ok[0]!.json()) as Tokens;
    expect(await introspect(t, winner.access_token)).toMatchObject({ active: true });
    expect((await refresh(client, winner.refresh_token)).status).toBe(200);
  });

  it("a refresh token only works for the client it was issued to", async () => {
    const owner = await createClient(t);
    const other = await createClient(t);
    const tokens = await issue(owner);
    const res = await refresh(other, tokens.refresh_token);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_grant" });
    expect((await refresh(owner, tokens.refresh_token)).status).toBe(200);
  });

  it("a refresh may narrow the scope, never widen it", async () => {
    const client = await createClient(t);
    const tokens = await issue(client);
    const wider = await tokenRequest(t, client, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      scope: "openid offline_access email",
    });
    expect(wider.status).toBe(400);
    expect(await wider.json()).toMatchObject({ error: "invalid_scope" });
    const narrower = await tokenRequest(t, client, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
      scope: "offline_access",
    });
    expect(narrower.status).toBe(200);
    const body = (await narrower.json()) as Tokens & { scope: string };
    expect(body.scope).toBe("offline_access");
    expect(await introspect(t, body.access_token)).toMatchObject({ scope: "offline_access" });
  });
});
