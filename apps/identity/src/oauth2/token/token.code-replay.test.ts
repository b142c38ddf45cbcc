import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  introspect,
  type OAuth2TestCore,
  pkce,
  runAuthorization,
  startOAuth2Core,
  tokenRequest,
} from "../test-helpers.ts";

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core();
});
afterAll(() => t?.stop());

describe("authorization codes are single-use (RFC 6749 §4.1.2)", () => {
  it("a replayed code fails with invalid_grant and revokes the tokens issued with it", async () => {
    const client = await createClient(t);
    const flow = await runAuthorization(t, client);
    const first = await exchangeCode(t, client, flow);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as { access_token: string; refresh_token: string };
    expect(await introspect(t, tokens.access_token)).toMatchObject({ active: true });

    const replay = await exchangeCode(t, client, flow);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    expect(await introspect(t, tokens.access_token)).toEqual({ active: false });
    expect(await introspect(t, tokens.refresh_token)).toEqual({ active: false });
    const refresh = await tokenRequest(t, client, {
      grant_type: "refresh_token",
      refresh_token: tokens.refresh_token,
    });
    expect(refresh.status).toBe(400);
  });

  it("two concurrent redemptions: exactly one gets tokens", async () => {
    const client = await createClient(t);
    const flow = await runAuthorization(t, client);
    const answers = await Promise.all([exchangeCode(t, client, flow), exchangeCode(t, client, flow)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it("the PKCE verifier must match the challenge, and the redirect_uri the one of the request", async () => {
    const client = await createClient(t);
    const flow = await runAuthorization(t, client);
    const wrongVerifier = await exchangeCode(t, client, { ...flow, verifier: pkce().verifier });
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: "invalid_grant" });
    const noVerifier = await exchangeCode(t, client, { ...flow, verifier: undefined });
    expect(noVerifier.status).toBe(400);
    const wrongRedirect = await tokenRequest(t, client, {
      grant_type: "authorization_code",
      code: flow.code,
      redirect_uri: "http://127.0.0.1:5555/other",
      code_verifier: flow.verifier!,
    });
    expect(wrongRedirect.status).toBe(400);
    expect(await wrongRedirect.json()).toMatchObject({ error: "invalid_grant" });
    // None of the failures consumed the code.
    expect((await exchangeCode(t, client, flow)).status).toBe(200);
  });

  it("a code is bound to its client", async () => {
    const owner = await createClient(t);
    const other = await createClient(t);
    const flow = await runAuthorization(t, owner);
    const stolen = await tokenRequest(t, other, {
      grant_type: "authorization_code",
      code: flow.code,
      redirect_uri: owner.redirect_uris[0]!,
      code_verifier: flow.verifier!,
    });
    expect(stolen.status).toBe(400);
    expect(await stolen.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("no refresh token without offline_access, no ID token without openid", async () => {
    const client = await createClient(t, { scope: "openid offline_access profile" });
    const flow = await runAuthorization(t, client, { scope: "profile" });
    const res = await exchangeCode(t, client, flow);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.scope).toBe("profile");
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toBeUndefined();
  });
});
