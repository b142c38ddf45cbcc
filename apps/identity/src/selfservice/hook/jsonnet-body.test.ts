import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopJsonnet } from "../../jsonnet/evaluate.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";
import { Receiver } from "./receiver.fixture.ts";

/*
 * Web hook bodies written in Jsonnet, as in Kratos, against a real HTTP receiver: a `function(ctx)`
 * program (base64://) and a `std.extVar('ctx')` one (file://) make the body from the identity; a
 * program that cancels skips the call; a program that never ends, or tries to read a server file,
 * fails the hook — the registration is refused with a message, nothing is created, nothing is sent.
 */

const hooks = new Receiver();
let t: TestCore;
let api: FrontendApi;

const REGISTRATION_BODY = `function(ctx)
  local email = ctx.identity.traits.email;
  if email == 'loop@example.com' then (local f(x) = f(x + 1) tailstrict; f(0))
  else if email == 'passwd@example.com' then { leaked: importstr '/etc/passwd' }
  else if email == 'skip@example.com' then error 'cancel'
  else {
    email: email,
    first: ctx.identity.traits.name.first,
    flow: ctx.flow.id,
    method: ctx.request_method,
  }
`;

beforeAll(async () => {
  await hooks.start();
  const dir = mkdtempSync(join(tmpdir(), "olympus-hook-body-"));
  const loginBody = join(dir, "login.jsonnet");
  writeFileSync(loginBody, "local ctx = std.extVar('ctx');\n{ who: ctx.identity.traits.email }\n");
  t = await startTestCore({
    overrides: {
      selfservice: {
        flows: {
          registration: {
            after: {
              password: {
                hooks: [
                  { hook: "session" },
                  {
                    hook: "web_hook",
                    config: {
                      url: `${hooks.url}/registration`,
                      body: `base64://${Buffer.from(REGISTRATION_BODY).toString("base64")}`,
                      timeout: "1500ms",
                    },
                  },
                ],
              },
            },
          },
          login: {
            after: {
              password: {
                hooks: [
                  {
                    hook: "web_hook",
                    config: {
                      url: `${hooks.url}/login`,
                      body: pathToFileURL(loginBody).toString(),
                      timeout: "1500ms",
                    },
                  },
                ],
              },
            },
          },
        },
      },
    },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
}, 120_000);

afterAll(async () => {
  await t?.stop();
  hooks.stop();
  stopJsonnet();
});

const PASSWORD = "a long passphrase 42";

function register(email: string, first = "Ada") {
  return api.createNativeRegistrationFlow().then((flow) =>
    api.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: "password",
        password: PASSWORD,
        traits: { email, name: { first } },
      },
    }),
  );
}

async function refused(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, body: await res.json() };
}

async function identityCount(): Promise<number> {
  return ((await (await fetch(`${t.adminUrl}/admin/identities?page_size=1000`)).json()) as unknown[]).length;
}

describe("Jsonnet web hook bodies", () => {
  it("sends what a function(ctx) program makes of the identity, hostile text included as data", async () => {
    const hostile = `'}; importstr "/etc/passwd" // \\u0000 ${"\u{1F600}"}`;
    const res = await register("ada@example.com", hostile);
    const calls = hooks.calls("/registration");
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual({
      email: "ada@example.com",
      first: hostile,
      flow: expect.any(String),
      method: "POST",
    });
    expect(calls[0]!.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.identity?.traits).toMatchObject({ email: "ada@example.com" });
  });

  it("reads ctx through std.extVar in a file:// program (after login)", async () => {
    const flow = await api.createNativeLoginFlow();
    await api.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: { method: "password", identifier: "ada@example.com", password: PASSWORD },
    });
    expect(hooks.calls("/login").map((c) => c.body)).toEqual([{ who: "ada@example.com" }]);
  });

  it("skips the call when the program cancels it, and the registration goes on", async () => {
    const before = hooks.calls("/registration").length;
    const res = await register("skip@example.com");
    expect(res.identity?.traits).toMatchObject({ email: "skip@example.com" });
    expect(hooks.calls("/registration")).toHaveLength(before);
  });

  it("stops a body that never ends at the time limit: the registration is refused, nothing is created or sent", async () => {
    const before = { calls: hooks.calls("/registration").length, identities: await identityCount() };
    const started = Date.now();
    const { status, body } = await refused(register("loop@example.com"));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(status).toBe(400);
    expect(JSON.stringify(body.ui.messages)).toMatch(/external service/);
    expect(hooks.calls("/registration")).toHaveLength(before.calls);
    expect(await identityCount()).toBe(before.identities);
  });

  it("refuses a body that imports a server file: the hook fails, nothing leaks, nothing is created", async () => {
    const before = { calls: hooks.calls("/registration").length, identities: await identityCount() };
    const { status, body } = await refused(register("passwd@example.com"));
    expect(status).toBe(400);
    expect(JSON.stringify(body)).not.toMatch(/root:|\/etc\/passwd|import not available/);
    expect(hooks.calls("/registration")).toHaveLength(before.calls);
    expect(await identityCount()).toBe(before.identities);
    // The core keeps working for the next sign-up.
    await register("after@example.com");
    expect(hooks.calls("/registration").at(-1)?.body.email).toBe("after@example.com");
  });
});
