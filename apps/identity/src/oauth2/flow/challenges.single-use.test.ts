import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2HandledRequests } from "../../db/schema.ts";
import { uuid } from "../../security/random.ts";
import { CookieJar } from "../../testing/index.ts";
import { deleteConsentSessions, deleteGrantsOfSubject, insertGrant } from "../grants.ts";
import {
  authorizeUrl,
  createClient,
  location,
  type OAuth2TestCore,
  pkce,
  REDIRECT,
  runAuthorization,
  startOAuth2Core,
  type TestClient,
} from "../test-helpers.ts";

/*
 * A login or consent request is final once it was rejected or its verifier was redeemed at
 * /oauth2/auth: then GET, accept and reject answer 410 {redirect_to}, and the verifier answers an
 * RFC 6749 error at the client. An accepted request whose verifier was not redeemed yet may be read
 * and accepted again (Hydra allows retried accepts, ory/hydra#2824); the first verifier redeemed wins.
 */

let t: OAuth2TestCore;
let client: TestClient;

beforeAll(async () => {
  t = await startOAuth2Core();
  client = await createClient(t);
});
afterAll(() => t?.stop());

const put = (path: string, body: unknown) => t.admin(path, { method: "PUT", body: JSON.stringify(body) });
const redirectOf = async (res: Response) => ((await res.json()) as { redirect_to: string }).redirect_to;
const loginPath = (action: string, challenge: string) =>
  `/admin/oauth2/auth/requests/login${action}?login_challenge=${encodeURIComponent(challenge)}`;
const consentPath = (action: string, challenge: string) =>
  `/admin/oauth2/auth/requests/consent${action}?consent_challenge=${encodeURIComponent(challenge)}`;

async function startLogin(jar = new CookieJar()): Promise<{ jar: CookieJar; challenge: string }> {
  const res = await jar.fetch(
    authorizeUrl(t, {
      client_id: client.client_id,
      response_type: "code",
      redirect_uri: REDIRECT,
      scope: "openid offline_access",
      state: "single-use-state",
      code_challenge: pkce().challenge,
      code_challenge_method: "S256",
    }),
  );
  return { jar, challenge: location(res).searchParams.get("login_challenge")! };
}

async function startConsent(): Promise<{ jar: CookieJar; challenge: string }> {
  const { jar, challenge } = await startLogin();
  const accepted = await put(loginPath("/accept", challenge), { subject: "single-use-user" });
  const res = await jar.fetch(await redirectOf(accepted));
  return { jar, challenge: location(res).searchParams.get("consent_challenge")! };
}

/** GET, accept and reject all answer 410 with the original request as redirect_to. */
async function expectGone(kind: "login" | "consent", challenge: string): Promise<void> {
  const path = kind === "login" ? loginPath : consentPath;
  const acceptBody = kind === "login" ? { subject: "single-use-user" } : { grant_scope: ["openid"] };
  const answers = [
    await t.admin(path("", challenge)),
    await put(path("/accept", challenge), acceptBody),
    await put(path("/reject", challenge), { error: "access_denied" }),
  ];
  for (const res of answers) {
    expect(res.status).toBe(410);
    const body = (await res.json()) as Record<string, string>;
    expect(Object.keys(body)).toEqual(["redirect_to"]);
    const to = new URL(body.redirect_to!);
    expect(to.pathname).toBe("/oauth2/auth");
    expect(to.searchParams.get("client_id")).toBe(client.client_id);
    expect(to.searchParams.get("state")).toBe("single-use-state");
  }
}

/** The browser back at the client's redirect URI with an RFC 6749 error. */
function expectClientError(res: Response, error: string, description: RegExp): void {
  expect(res.status).toBe(302);
  const back = location(res);
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get("error")).toBe(error);
  expect(back.searchParams.get("error_description")).toMatch(description);
  expect(back.searchParams.get("state")).toBe("single-use-state");
  expect(back.searchParams.get("code")).toBeNull();
}

describe("login requests", () => {
  it("an accepted login may be read and accepted again until its verifier is redeemed; then it is 410", async () => {
    const { jar, challenge } = await startLogin();
    const first = await put(loginPath("/accept", challenge), { subject: "single-use-user" });
    expect(first.status).toBe(200);
    expect((await t.admin(loginPath("", challenge))).status).toBe(200);
    const second = await put(loginPath("/accept", challenge), { subject: "single-use-user" });
    expect(second.status).toBe(200);
    const [firstTo, secondTo] = [await redirectOf(first), await redirectOf(second)];

    const redeemed = await jar.fetch(secondTo);
    expect(location(redeemed).searchParams.get("consent_challenge")).toBeTruthy();
    await expectGone("login", challenge);

    // Both verifiers belong to one request: once one is redeemed, neither works again.
    expectClientError(await jar.fetch(secondTo), "access_denied", /login verifier has already been used/);
    expectClientError(await jar.fetch(firstTo), "access_denied", /login verifier has already been used/);
  });

  it("a remembered (skipped) login's verifier is single-use too", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "remembered-single-use" });
    const { challenge } = await startLogin(jar);
    const req = (await (await t.admin(loginPath("", challenge))).json()) as {
      skip: boolean;
      subject: string;
    };
    expect(req.skip).toBe(true);
    const to = await redirectOf(await put(loginPath("/accept", challenge), { subject: req.subject }));
    expect(location(await jar.fetch(to)).searchParams.get("consent_challenge")).toBeTruthy();
    expectClientError(await jar.fetch(to), "access_denied", /login verifier has already been used/);
    await expectGone("login", challenge);
  });

  it("a rejected login is final at once, and its verifier works once", async () => {
    const { jar, challenge } = await startLogin();
    const accepted = await redirectOf(await put(loginPath("/accept", challenge), { subject: "u" }));
    const rejected = await put(loginPath("/reject", challenge), {
      error: "access_denied",
      error_description: "The user cancelled the login",
    });
    expect(rejected.status).toBe(200);
    const rejectedTo = await redirectOf(rejected);
    await expectGone("login", challenge);

    // The rejection wins over the acceptance issued before it.
    expectClientError(await jar.fetch(accepted), "access_denied", /login verifier has already been used/);
    expectClientError(await jar.fetch(rejectedTo), "access_denied", /cancelled the login/);
    expectClientError(await jar.fetch(rejectedTo), "access_denied", /login verifier has already been used/);
  });
});

describe("consent requests", () => {
  it("an accepted consent may be read and accepted again until its verifier is redeemed; then it is 410", async () => {
    const { jar, challenge } = await startConsent();
    const first = await put(consentPath("/accept", challenge), { grant_scope: ["openid"] });
    expect(first.status).toBe(200);
    expect((await t.admin(consentPath("", challenge))).status).toBe(200);
    const second = await put(consentPath("/accept", challenge), {
      grant_scope: ["openid", "offline_access"],
    });
    expect(second.status).toBe(200);
    const [firstTo, secondTo] = [await redirectOf(first), await redirectOf(second)];

    const granted = location(await jar.fetch(secondTo));
    expect(granted.searchParams.get("code")).toMatch(/^ory_ac_/);
    expect(granted.searchParams.get("scope")).toBe("openid offline_access");
    await expectGone("consent", challenge);

    expectClientError(await jar.fetch(secondTo), "access_denied", /consent verifier has already been used/);
    expectClientError(await jar.fetch(firstTo), "access_denied", /consent verifier has already been used/);
  });

  it("a rejected consent is final at once, and its verifier works once", async () => {
    const { jar, challenge } = await startConsent();
    const accepted = await redirectOf(
      await put(consentPath("/accept", challenge), { grant_scope: ["openid"] }),
    );
    const rejectedTo = await redirectOf(
      await put(consentPath("/reject", challenge), {
        error: "access_denied",
        error_description: "No thanks",
      }),
    );
    await expectGone("consent", challenge);
    expectClientError(await jar.fetch(accepted), "access_denied", /consent verifier has already been used/);
    expectClientError(await jar.fetch(rejectedTo), "access_denied", /No thanks/);
    expectClientError(await jar.fetch(rejectedTo), "access_denied", /consent verifier has already been used/);
  });
});

describe("after a logout", () => {
  it("a login verifier whose flow completed stays spent when its login session was ended", async () => {
    const { jar, challenge } = await startLogin();
    const loginTo = await redirectOf(
      await put(loginPath("/accept", challenge), { subject: "logged-out-user" }),
    );
    const consent = location(await jar.fetch(loginTo)).searchParams.get("consent_challenge")!;
    const consentTo = await redirectOf(
      await put(consentPath("/accept", consent), { grant_scope: ["openid"] }),
    );
    expect(location(await jar.fetch(consentTo)).searchParams.get("code")).toMatch(/^ory_ac_/);
    const ended = await t.admin("/admin/oauth2/auth/sessions/login?subject=logged-out-user", {
      method: "DELETE",
    });
    expect(ended.status).toBe(204);
    expectClientError(await jar.fetch(loginTo), "access_denied", /login verifier has already been used/);
    await expectGone("login", challenge);
  });
});

describe("after a revocation", () => {
  it("a consent verifier stays spent when its consent was revoked (no new code)", async () => {
    const { jar, challenge } = await startConsent();
    const consentTo = await redirectOf(
      await put(consentPath("/accept", challenge), { grant_scope: ["openid"] }),
    );
    expect(location(await jar.fetch(consentTo)).searchParams.get("code")).toMatch(/^ory_ac_/);
    const revoked = await t.admin("/admin/oauth2/auth/sessions/consent?subject=single-use-user&all=true", {
      method: "DELETE",
    });
    expect(revoked.status).toBe(204);
    expectClientError(await jar.fetch(consentTo), "access_denied", /consent verifier has already been used/);
    await expectGone("consent", challenge);
  });

  it("a consent verifier stays spent when its subject's grants were erased (identity deletion)", async () => {
    const { jar, challenge } = await startConsent();
    const consentTo = await redirectOf(
      await put(consentPath("/accept", challenge), { grant_scope: ["openid"] }),
    );
    expect(location(await jar.fetch(consentTo)).searchParams.get("code")).toMatch(/^ory_ac_/);
    const ttl = t.core.ctx.config.oauth2.ttl.login_consent_request;
    await t.core.ctx.db.transaction((tx) => deleteGrantsOfSubject(tx, "single-use-user", ttl));
    expectClientError(await jar.fetch(consentTo), "access_denied", /consent verifier has already been used/);
    await expectGone("consent", challenge);
  });

  it("deleting a grant marks its consent request only while that request may be live", async () => {
    const ttl = t.core.ctx.config.oauth2.ttl.login_consent_request;
    const grant = (consentChallengeId: string, requestedAt: Date) =>
      insertGrant(t.core.ctx.db, {
        id: uuid(),
        kind: "authorization_code",
        clientId: client.client_id,
        subject: "mark-expiry-user",
        clientSubject: "mark-expiry-user",
        consentChallengeId,
        grantedScope: ["openid"],
        grantedAudience: [],
        accessTokenClaims: {},
        idTokenClaims: {},
        request: {},
        requestedAt,
        expiresAt: new Date(Date.now() + 60_000),
      });
    const live = uuid().replace(/-/g, "");
    const old = uuid().replace(/-/g, "");
    const liveAt = new Date(Date.now() - 60_000);
    await grant(live, liveAt);
    await grant(old, new Date(Date.now() - ttl - 60_000));
    expect(await deleteConsentSessions(t.core.ctx.db, { subject: "mark-expiry-user" }, ttl)).toBe(2);
    const mark = async (id: string) =>
      (
        await t.core.ctx.db
          .select()
          .from(oauth2HandledRequests)
          .where(eq(oauth2HandledRequests.id, `consent:${id}`))
      )[0];
    const liveMark = await mark(live);
    expect(liveMark?.rejected).toBe(false);
    expect(liveMark?.verifierUsedAt).toBeInstanceOf(Date);
    // Kept until the request expires, like the request's other marks.
    expect(liveMark?.expiresAt.getTime()).toBe(liveAt.getTime() + ttl);
    expect(await mark(old)).toBeUndefined();
  });

  it("a login verifier stays spent when its login session was ended before the consent", async () => {
    const { jar, challenge } = await startLogin();
    const loginTo = await redirectOf(
      await put(loginPath("/accept", challenge), { subject: "logged-out-early" }),
    );
    const first = location(await jar.fetch(loginTo));
    expect(first.searchParams.get("consent_challenge")).toBeTruthy();
    const ended = await t.admin("/admin/oauth2/auth/sessions/login?subject=logged-out-early", {
      method: "DELETE",
    });
    expect(ended.status).toBe(204);
    // The login session is not recreated, and no consent challenge is issued again.
    expectClientError(await jar.fetch(loginTo), "access_denied", /login verifier has already been used/);
    const sessions = await t.admin("/admin/oauth2/auth/sessions/consent?subject=logged-out-early");
    expect(await sessions.json()).toEqual([]);
    await expectGone("login", challenge);
  });

  it("a remembered login's verifier does not work once that login session was logged out", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "remembered-then-out" });
    const { challenge } = await startLogin(jar);
    const req = (await (await t.admin(loginPath("", challenge))).json()) as { skip: boolean };
    expect(req.skip).toBe(true);
    const to = await redirectOf(
      await put(loginPath("/accept", challenge), { subject: "remembered-then-out" }),
    );
    const ended = await t.admin("/admin/oauth2/auth/sessions/login?subject=remembered-then-out", {
      method: "DELETE",
    });
    expect(ended.status).toBe(204);
    const res = await jar.fetch(to);
    expect(location(res).searchParams.get("consent_challenge")).toBeNull();
    expectClientError(res, "access_denied", /login session .*ended/);
  });

  it("a remembered login's verifier answers login_required with prompt=none once that login session ended", async () => {
    const jar = new CookieJar();
    await runAuthorization(t, client, { jar, subject: "remembered-none" });
    const res = await jar.fetch(
      authorizeUrl(t, {
        client_id: client.client_id,
        response_type: "code",
        redirect_uri: REDIRECT,
        scope: "openid",
        state: "single-use-state",
        prompt: "none",
        code_challenge: pkce().challenge,
        code_challenge_method: "S256",
      }),
    );
    const challenge = location(res).searchParams.get("login_challenge")!;
    const to = await redirectOf(await put(loginPath("/accept", challenge), { subject: "remembered-none" }));
    await t.admin("/admin/oauth2/auth/sessions/login?subject=remembered-none", { method: "DELETE" });
    expectClientError(await jar.fetch(to), "login_required", /login session .*ended/);
  });
});

describe("accept and reject racing", () => {
  it("of a consent verifier redeemed while the consent is rejected, only one outcome takes effect", async () => {
    for (let i = 0; i < 8; i++) {
      const { jar, challenge } = await startConsent();
      const consentTo = await redirectOf(
        await put(consentPath("/accept", challenge), { grant_scope: ["openid"] }),
      );
      const [redeemed, rejected] = await Promise.all([
        jar.fetch(consentTo),
        put(consentPath("/reject", challenge), { error: "access_denied" }),
      ]);
      const gotCode = location(redeemed).searchParams.get("code") !== null;
      expect(gotCode, `round ${i}`).toBe(rejected.status === 410);
    }
  });

  it("of a login verifier redeemed while the login is rejected, no code is issued for a rejected login", async () => {
    for (let i = 0; i < 8; i++) {
      const { jar, challenge } = await startLogin();
      const loginTo = await redirectOf(await put(loginPath("/accept", challenge), { subject: "racer" }));
      const [redeemed, rejected] = await Promise.all([
        jar.fetch(loginTo),
        put(loginPath("/reject", challenge), { error: "access_denied" }),
      ]);
      const consent = location(redeemed).searchParams.get("consent_challenge");
      if (rejected.status === 410) continue;
      expect(rejected.status).toBe(200);
      if (!consent) continue;
      // Both answered: the consent that follows may not end in a code.
      const accepted = await put(consentPath("/accept", consent), { grant_scope: ["openid"] });
      if (accepted.status !== 200) continue;
      const back = location(await jar.fetch(await redirectOf(accepted)));
      expect(back.searchParams.get("code"), `round ${i}`).toBeNull();
    }
  });
});
