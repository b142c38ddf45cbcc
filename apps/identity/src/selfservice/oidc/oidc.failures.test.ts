import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { selfserviceFlows } from "../../db/schema.ts";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";
import { startTestUpstream, type TestUpstream } from "./upstream.fixture.ts";

/*
 * Every way the upstream round trip can go wrong ends as a message on the flow the user started,
 * with no identity, no credential and no session created: a forged or replayed state, an ID token
 * whose nonce is not the one sent, an ID token signed by a key the provider never published, an
 * error from the provider, a refused consent, a provider that is down.
 */

const CLIENT = { clientId: "olympus-failures", clientSecret: "another-confidential-client-secret" };
let t: TestCore;
let up: TestUpstream;

beforeAll(async () => {
  const pending = await startTestUpstream();
  t = await startTestCore({
    overrides: {
      secrets: { cipher: ["fedcba9876543210fedcba9876543210"] },
      selfservice: {
        flows: { registration: { after: { oidc: { hooks: [{ hook: "session" }] } } } },
        methods: {
          oidc: {
            enabled: true,
            config: {
              providers: [
                {
                  id: "upstream",
                  provider: "generic",
                  client_id: CLIENT.clientId,
                  client_secret: CLIENT.clientSecret,
                  issuer_url: pending.issuer,
                  timeout: 2000,
                },
                // Nothing listens there: discovery fails at once.
                {
                  id: "offline",
                  provider: "generic",
                  client_id: "x",
                  client_secret: "y",
                  issuer_url: "http://127.0.0.1:9/",
                  timeout: 1000,
                },
              ],
            },
          },
        },
      },
    },
  });
  up = await pending.register({
    ...CLIENT,
    redirectUris: [
      new URL("self-service/methods/oidc/callback/upstream", t.core.ctx.rt.publicBaseUrl).toString(),
    ],
  });
  up.accounts.set("victim", { email: "victim@upstream.test", email_verified: true });
  up.nextSubject = "victim";
}, 120_000);

afterAll(async () => {
  await up?.close();
  await t?.stop();
});

type Flow = {
  id: string;
  ui: { messages?: { id: number; type: string; text: string; context?: Record<string, unknown> }[] };
};

function form(fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  };
}

async function readFlow(jar: CookieJar, id: string): Promise<Flow> {
  const res = await jar.fetch(`${t.publicUrl}/self-service/login/flows?id=${id}`, {
    headers: { accept: "application/json" },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Flow;
}

/** A login flow whose provider button was pressed: the URL the browser is sent to. */
async function start(
  jar: CookieJar,
  provider = "upstream",
): Promise<{ flowId: string; auth: URL; res: Response }> {
  const init = await jar.fetch(`${t.publicUrl}/self-service/login/browser`);
  const flowId = new URL(init.headers.get("location")!).searchParams.get("flow")!;
  const flow = (await readFlow(jar, flowId)) as Flow & { ui: { nodes: never } };
  const res = await jar.fetch(
    `${t.publicUrl}/self-service/login?flow=${flowId}`,
    form({ csrf_token: csrfOf(flow as never), method: "oidc", provider }),
  );
  return { flowId, auth: new URL(res.headers.get("location") ?? "http://invalid/"), res };
}

/** Walks the provider's pages; returns the callback URL the provider sends the browser to (not opened). */
async function upstreamAnswer(jar: CookieJar, auth: URL): Promise<URL> {
  let url = auth.toString();
  for (let i = 0; i < 15; i++) {
    const res = await jar.fetch(url);
    const loc = res.headers.get("location");
    if (!loc) throw new Error(`stuck at ${url}: ${res.status}`);
    const next = new URL(loc, url);
    if (next.pathname.includes("/self-service/methods/oidc/callback/")) return next;
    url = next.toString();
  }
  throw new Error("too many redirects");
}

async function counts() {
  const ids = (await (await fetch(`${t.adminUrl}/admin/identities?page_size=1000`)).json()) as unknown[];
  const sessions = (await (await fetch(`${t.adminUrl}/admin/sessions?page_size=1000`)).json()) as unknown[];
  return { identities: ids.length, sessions: sessions.length };
}

/** Opens the callback; the browser must land on the login flow carrying a 4000120 message of `kind`. */
async function expectFlowError(jar: CookieJar, flowId: string, callback: URL, kind: string) {
  const res = await jar.fetch(callback.toString());
  expect(res.status).toBe(303);
  const to = new URL(res.headers.get("location")!);
  expect(to.pathname).toBe("/login");
  expect(to.searchParams.get("flow")).toBe(flowId);
  const flow = await readFlow(jar, flowId);
  const message = flow.ui.messages?.[0];
  expect(message).toMatchObject({ id: 4000120, type: "error" });
  expect(message?.context?.error_kind).toBe(kind);
  const who = await jar.fetch(`${t.publicUrl}/sessions/whoami`, { headers: { accept: "application/json" } });
  expect(who.status).toBe(401);
}

describe("social sign-in failures: a clear message on the flow, nothing created", () => {
  it("refuses a forged state and a state from another browser", async () => {
    const before = await counts();
    const jar = new CookieJar();
    const { flowId, auth } = await start(jar);
    const answer = await upstreamAnswer(jar, auth);
    const forged = new URL(answer);
    forged.searchParams.set("state", `login.${flowId}.${"A".repeat(32)}`);
    await expectFlowError(jar, flowId, forged, "state_mismatch");

    // The real answer, opened in a browser that did not start the flow (login CSRF): refused too.
    const jar2 = new CookieJar();
    const second = await start(jar2);
    const real = await upstreamAnswer(jar2, second.auth);
    const attacker = new CookieJar();
    const res = await attacker.fetch(real.toString());
    expect(res.status).toBe(303);
    expect((await readFlow(jar2, second.flowId)).ui.messages?.[0]?.context?.error_kind).toBe(
      "state_mismatch",
    );
    expect(await counts()).toEqual(before);
  });

  it("refuses a replayed callback", async () => {
    up.accounts.set("replay", { email: "replay@upstream.test", email_verified: true });
    up.nextSubject = "replay";
    const jar = new CookieJar();
    const { flowId, auth } = await start(jar);
    const answer = await upstreamAnswer(jar, auth);
    const first = await jar.fetch(answer.toString());
    expect(first.status).toBe(303);
    const signedIn = await counts();
    // The same answer again, in a new browser session of the same browser (cookies kept).
    const res = await jar.fetch(answer.toString());
    expect(res.status).toBe(303);
    expect((await readFlow(jar, flowId)).ui.messages?.[0]?.context?.error_kind).toBe("state_mismatch");
    expect(await counts()).toEqual(signedIn);
    up.nextSubject = "victim";
  });

  it("refuses an ID token whose nonce is not the one sent", async () => {
    const before = await counts();
    const jar = new CookieJar();
    const { flowId, auth } = await start(jar);
    const answer = await upstreamAnswer(jar, auth);
    // The flow expects another nonce than the one the provider put into its ID token.
    const [row] = await t.core.ctx.db
      .select()
      .from(selfserviceFlows)
      .where(and(eq(selfserviceFlows.id, flowId), eq(selfserviceFlows.kind, "login")));
    const data = row!.data as { oidc: { nonce: string } };
    data.oidc.nonce = "a-nonce-this-provider-never-saw-aaaaaaaaaa";
    await t.core.ctx.db.update(selfserviceFlows).set({ data }).where(eq(selfserviceFlows.id, flowId));
    await expectFlowError(jar, flowId, answer, "id_token_invalid");
    expect(await counts()).toEqual(before);
  });

  it("refuses an ID token signed by a key the provider never published", async () => {
    const before = await counts();
    up.fault = "bad_signature";
    try {
      const jar = new CookieJar();
      const { flowId, auth } = await start(jar);
      const answer = await upstreamAnswer(jar, auth);
      await expectFlowError(jar, flowId, answer, "id_token_invalid");
    } finally {
      up.fault = "none";
    }
    expect(await counts()).toEqual(before);
  });

  it("shows the provider's error, and a code the token endpoint refuses", async () => {
    const before = await counts();
    up.fault = "auth_error";
    try {
      const jar = new CookieJar();
      const { flowId, auth } = await start(jar);
      const answer = await upstreamAnswer(jar, auth);
      expect(answer.searchParams.get("error")).toBe("temporarily_unavailable");
      await expectFlowError(jar, flowId, answer, "upstream_error");
      const flow = await readFlow(jar, flowId);
      expect(flow.ui.messages?.[0]?.text).toContain("temporarily_unavailable");
    } finally {
      up.fault = "none";
    }
    up.fault = "token_error";
    try {
      const jar = new CookieJar();
      const { flowId, auth } = await start(jar);
      const answer = await upstreamAnswer(jar, auth);
      await expectFlowError(jar, flowId, answer, "token_exchange_failed");
    } finally {
      up.fault = "none";
    }
    expect(await counts()).toEqual(before);
  });

  it("tells the operator, not the user, why the token endpoint refused the client (a secret it does not hold)", async () => {
    const before = await counts();
    const logged = vi.spyOn(t.core.ctx.log, "info");
    up.fault = "wrong_secret";
    try {
      const jar = new CookieJar();
      const { flowId, auth } = await start(jar);
      const answer = await upstreamAnswer(jar, auth);
      await expectFlowError(jar, flowId, answer, "token_exchange_failed");
      const flow = await readFlow(jar, flowId);
      expect(flow.ui.messages?.[0]?.text).not.toMatch(/secret|invalid_client/i);
      const refusal = logged.mock.calls.find(([msg]) => msg === "oidc: callback refused");
      expect(refusal?.[1]).toMatchObject({
        provider: "upstream",
        kind: "token_exchange_failed",
        detail: expect.stringMatching(/^the token endpoint answered 401 invalid_client/),
      });
    } finally {
      up.fault = "none";
      logged.mockRestore();
    }
    expect(await counts()).toEqual(before);
  });

  it("says the sign-in was refused when the user denies consent at the provider", async () => {
    const before = await counts();
    up.deny = true;
    try {
      const jar = new CookieJar();
      const { flowId, auth } = await start(jar);
      const answer = await upstreamAnswer(jar, auth);
      expect(answer.searchParams.get("error")).toBe("access_denied");
      await expectFlowError(jar, flowId, answer, "access_denied");
    } finally {
      up.deny = false;
    }
    expect(await counts()).toEqual(before);
  });

  it("says the provider is down: before the redirect, and when it goes down before the code exchange", async () => {
    const before = await counts();
    const jar = new CookieJar();
    const { flowId, res } = await start(jar, "offline");
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get("location")!).pathname).toBe("/login");
    const flow = await readFlow(jar, flowId);
    expect(flow.ui.messages?.[0]).toMatchObject({ id: 4000120 });
    expect(flow.ui.messages?.[0]?.context?.error_kind).toBe("unreachable");

    const jar2 = new CookieJar();
    const second = await start(jar2);
    const answer = await upstreamAnswer(jar2, second.auth);
    await up.down();
    try {
      await expectFlowError(jar2, second.flowId, answer, "unreachable");
    } finally {
      await up.up();
    }
    expect(await counts()).toEqual(before);
  });

  it("answers a callback that names no flow with a 400 in the Ory shape", async () => {
    const res = await fetch(
      `${t.publicUrl}/self-service/methods/oidc/callback/upstream?state=nonsense&code=x`,
      {
        headers: { accept: "application/json" },
      },
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: number; reason: string } };
    expect(body.error.code).toBe(400);
    expect(body.error.reason).toContain("Please start again");
  });
});
