import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CookieJar, csrfOf, startTestCore, type TestCore } from "../../testing/index.ts";
import { answer, Receiver, refusal } from "../hook/receiver.fixture.ts";
import { startTestUpstream, type TestUpstream } from "./upstream.fixture.ts";

/*
 * `registration.after.oidc` web hooks, as for the other methods: a first sign-in through a provider
 * shows the hook the identity before it is saved; the hook may refuse (nothing is created, the
 * registration form says why) or change the traits the identity is created with.
 */

const CLIENT = { clientId: "olympus-hooks", clientSecret: "a-confidential-client-secret-for-hooks" };
let t: TestCore;
let up: TestUpstream;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  const pending = await startTestUpstream();
  t = await startTestCore({
    overrides: {
      secrets: { cipher: ["0123456789abcdef0123456789abcdef"] },
      selfservice: {
        flows: {
          registration: {
            after: {
              oidc: {
                hooks: [
                  {
                    hook: "web_hook",
                    config: {
                      url: `${receiver.url}/registration`,
                      method: "POST",
                      can_interrupt: true,
                      response: { parse: true },
                      timeout: "1500ms",
                    },
                  },
                  { hook: "session" },
                ],
              },
            },
          },
        },
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
}, 120_000);

afterAll(async () => {
  await up?.close();
  await t?.stop();
  receiver.stop();
});

function form(fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Presses the provider's button on a new login flow and walks the provider back to the core's callback. */
async function signInThroughUpstream(jar: CookieJar, subject: string): Promise<Response> {
  up.nextSubject = subject;
  const init = await jar.fetch(`${t.publicUrl}/self-service/login/browser`);
  const flowId = new URL(init.headers.get("location")!).searchParams.get("flow")!;
  const flow = (await (
    await jar.fetch(`${t.publicUrl}/self-service/login/flows?id=${flowId}`, {
      headers: { accept: "application/json" },
    })
  ).json()) as Parameters<typeof csrfOf>[0];
  const start = await jar.fetch(
    `${t.publicUrl}/self-service/login?flow=${flowId}`,
    form({ csrf_token: csrfOf(flow), method: "oidc", provider: "upstream" }),
  );
  let url = start.headers.get("location")!;
  for (let i = 0; i < 15; i++) {
    const res = await jar.fetch(url);
    if (new URL(url).pathname.includes("/self-service/methods/oidc/callback/")) return res;
    const loc = res.headers.get("location");
    if (!loc) throw new Error(`stuck at ${url}: ${res.status}`);
    url = new URL(loc, url).toString();
  }
  throw new Error("too many redirects");
}

const bySubject = async (subject: string) =>
  (await (
    await fetch(
      `${t.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(`upstream:${subject}`)}`,
    )
  ).json()) as { id: string; traits: Record<string, unknown> }[];

describe("registration.after.oidc web hooks", () => {
  it("a refusing hook: nothing is created, the registration form shows its message", async () => {
    up.accounts.set("refused-sub", { email: "refused@upstream.test", email_verified: true });
    receiver.behaviour["/registration"] = answer(400, refusal(4000001, "Not on the guest list."));
    const jar = new CookieJar();
    const back = await signInThroughUpstream(jar, "refused-sub");
    expect(back.status).toBe(303);
    const to = new URL(back.headers.get("location")!);
    expect(to.pathname).toBe("/registration");
    const flow = (await (
      await jar.fetch(`${t.publicUrl}/self-service/registration/flows?id=${to.searchParams.get("flow")}`, {
        headers: { accept: "application/json" },
      })
    ).json()) as { ui: { messages?: { text: string }[] } };
    expect(flow.ui.messages?.map((m) => m.text)).toContain("Not on the guest list.");
    // The hook saw the identity about to be created.
    const call = receiver.received.filter((r) => r.path === "/registration").at(-1)!;
    expect(call.body.ctx.identity.traits).toMatchObject({ email: "refused@upstream.test" });
    expect(await bySubject("refused-sub")).toEqual([]);
    const who = await jar.fetch(`${t.publicUrl}/sessions/whoami`, {
      headers: { accept: "application/json" },
    });
    expect(who.status).toBe(401);
  });

  it("a hook that changes the traits: the identity is created with them, and signed in", async () => {
    up.accounts.set("changed-sub", { email: "changed@upstream.test", email_verified: true });
    receiver.behaviour["/registration"] = (r, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          identity: { traits: { ...r.body.ctx.identity.traits, email: "renamed@upstream.test" } },
        }),
      );
    };
    const jar = new CookieJar();
    const back = await signInThroughUpstream(jar, "changed-sub");
    expect(back.status).toBe(303);
    const [created, ...others] = await bySubject("changed-sub");
    expect(others).toEqual([]);
    expect(created?.traits).toMatchObject({ email: "renamed@upstream.test" });
    const who = await jar.fetch(`${t.publicUrl}/sessions/whoami`, {
      headers: { accept: "application/json" },
    });
    expect(who.status).toBe(200);
    expect(((await who.json()) as { identity: { id: string } }).identity.id).toBe(created!.id);
  });
});
