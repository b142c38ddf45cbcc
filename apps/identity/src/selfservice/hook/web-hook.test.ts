import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { freePort } from "@olympus/testkit";
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/index.ts";
import { courierDispatches, courierMessages, identities } from "../../db/schema.ts";
import { securityAuditLog } from "../../db/security-schema.ts";
import { startTestCore, type TestCore, testConfig } from "../../testing/index.ts";
import { checkWebHooks } from "./index.ts";

/*
 * Web hooks against a real HTTP receiver (node:http in this process): a registration refused with a
 * field message, traits and metadata changed before the identity is saved, an after-login hook that
 * receives the identity, a receiver too slow to answer, and a fire-and-forget hook retried from the
 * courier's queue until its receiver comes back.
 */

interface Received {
  path: string;
  method: string;
  headers: IncomingMessage["headers"];
  body: any;
}

type Behaviour = (r: Received, res: ServerResponse) => void;

function startReceiver(port = 0): Promise<{ server: Server; url: string; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const r: Received = {
          path: req.url ?? "",
          method: req.method ?? "",
          headers: req.headers,
          body: raw ? JSON.parse(raw) : undefined,
        };
        received.push(r);
        (behaviour[r.path] ?? ok)(r, res);
      });
    });
    server.listen(port, "127.0.0.1", () => {
      const p = (server.address() as AddressInfo).port;
      resolve({ server, url: `http://127.0.0.1:${p}`, port: p });
    });
  });
}

const received: Received[] = [];
const behaviour: Record<string, Behaviour> = {};
const ok: Behaviour = (_r, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end("{}");
};
const answer =
  (status: number, body: unknown): Behaviour =>
  (_r, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

let t: TestCore;
let api: FrontendApi;
let receiver: { server: Server; url: string };
let laterPort: number;

beforeAll(async () => {
  receiver = await startReceiver();
  laterPort = await freePort();
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
                      url: `${receiver.url}/registration`,
                      method: "POST",
                      can_interrupt: true,
                      response: { parse: true },
                      // In-process receiver: PGlite shares the event loop, so leave it room to answer.
                      timeout: "1500ms",
                      auth: {
                        type: "api_key",
                        config: { name: "X-Hook-Key", value: "s3cret", in: "header" },
                      },
                    },
                  },
                  {
                    hook: "web_hook",
                    config: {
                      url: `http://127.0.0.1:${laterPort}/later`,
                      response: { ignore: true },
                      body: { id: "{{ ctx.identity.id }}", email: "{{ ctx.identity.traits.email }}" },
                      timeout: "500ms",
                    },
                  },
                ],
              },
            },
          },
          settings: {
            after: {
              profile: {
                hooks: [
                  { hook: "web_hook", config: { url: `${receiver.url}/settings`, can_interrupt: true } },
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
                      url: `${receiver.url}/login`,
                      can_interrupt: true,
                      body: {
                        user: "{{ ctx.identity.id }}",
                        email: "{{ ctx.identity.traits.email }}",
                        line: "signed in: {{ ctx.identity.traits.email }}",
                        flow: "{{ ctx.flow.id }}",
                      },
                      auth: { type: "basic_auth", config: { user: "olympus", password: "p4ss" } },
                    },
                  },
                ],
              },
            },
          },
        },
      },
      courier: {
        worker: { enabled: true, poll_interval: "50ms", retry_backoff: "100ms", retry_backoff_max: "200ms" },
        message_retries: 20,
      },
    },
  });
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await t?.stop();
  receiver?.server.close();
});

async function failure(p: Promise<unknown>): Promise<{ status: number; body: any }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  const res = (err as ResponseError).response;
  return { status: res.status, body: await res.json() };
}

async function register(email: string, extra: Record<string, unknown> = {}) {
  const flow = await api.createNativeRegistrationFlow();
  return api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: {
      method: "password",
      password: "a long passphrase 42",
      traits: { email, name: { first: "Ada" } },
      ...extra,
    },
  });
}

const identityRows = (email: string) =>
  t.core.ctx.db
    .select()
    .from(identities)
    .where(eq(identities.traits, { email, name: { first: "Ada" } }));

describe("web hooks", () => {
  it("refuses a registration with the receiver's message on the field, and creates nothing", async () => {
    behaviour["/registration"] = answer(400, {
      messages: [
        {
          instance_ptr: "#/traits/email",
          messages: [{ id: 10001, text: "This address is on our block list.", type: "error", context: {} }],
        },
      ],
    });
    const { status, body } = await failure(register("blocked@example.com"));
    expect(status).toBe(400);
    const email = body.ui.nodes.find((n: any) => n.attributes.name === "traits.email");
    expect(email.messages).toEqual([
      { id: 10001, text: "This address is on our block list.", type: "error", context: {} },
    ]);
    expect(await identityRows("blocked@example.com")).toHaveLength(0);
    // The receiver saw Kratos' context, its key, and no cookie or session of the caller.
    const call = received.filter((r) => r.path === "/registration").at(-1)!;
    expect(call.headers["x-hook-key"]).toBe("s3cret");
    expect(call.body.ctx.identity.traits.email).toBe("blocked@example.com");
    expect(call.body.ctx.flow.id).toBe(body.id);
    expect(call.body.ctx.request_method).toBe("POST");
    expect(call.body.ctx.request_url).toContain("/self-service/registration");
    expect(call.body.ctx.request_headers.Cookie).toBeUndefined();
    const csrf = call.body.ctx.flow.ui.nodes.find((n: any) => n.attributes.name === "csrf_token");
    expect(csrf?.attributes.value ?? "").toBe("");
    // No fire-and-forget call is queued for a refused registration.
    const queued = await t.core.ctx.db
      .select()
      .from(courierMessages)
      .where(like(courierMessages.body, "%blocked@example.com%"));
    expect(queued).toHaveLength(0);
  });

  it("lets a parsing hook change traits and metadata before the identity is saved", async () => {
    behaviour["/registration"] = (r, res) => {
      answer(200, {
        identity: {
          traits: { ...r.body.ctx.identity.traits, name: { first: "Ada", last: "Lovelace" } },
          metadata_public: { crm_id: "c-42" },
          metadata_admin: { plan: "gold" },
        },
      })(r, res);
    };
    const res = await register("changed@example.com");
    expect(res.identity.traits).toEqual({
      email: "changed@example.com",
      name: { first: "Ada", last: "Lovelace" },
    });
    const [row] = await t.core.ctx.db.select().from(identities).where(eq(identities.id, res.identity.id));
    expect(row!.metadataPublic).toEqual({ crm_id: "c-42" });
    expect(row!.metadataAdmin).toEqual({ plan: "gold" });
    // The hook saw the id the identity was then saved under.
    const call = received.filter((r) => r.path === "/registration").at(-1)!;
    expect(call.body.ctx.identity.id).toBe(res.identity.id);
  });

  it("refuses traits from a hook that do not satisfy the identity schema", async () => {
    behaviour["/registration"] = answer(200, { identity: { traits: { email: "not an address", extra: 1 } } });
    const { status, body } = await failure(register("schema@example.com"));
    expect(status).toBe(400);
    expect(body.ui.messages[0]).toMatchObject({ id: 4000001, type: "error" });
    expect(await identityRows("schema@example.com")).toHaveLength(0);
  });

  it("fails the flow with a clear message when the receiver does not answer in time", async () => {
    behaviour["/registration"] = (_r, res) => {
      setTimeout(() => ok(_r, res), 5000).unref();
    };
    const started = Date.now();
    const { status, body } = await failure(register("slow@example.com"));
    expect(Date.now() - started).toBeLessThan(4500);
    expect(status).toBe(400);
    expect(body.ui.messages[0]).toMatchObject({ id: 4000001, type: "error" });
    expect(body.ui.messages[0].text).toMatch(/external service/);
    expect(await identityRows("slow@example.com")).toHaveLength(0);
    const audits = await t.core.ctx.db
      .select()
      .from(securityAuditLog)
      .where(eq(securityAuditLog.event, "hook.web_hook.failed"));
    expect(audits.some((a) => JSON.stringify(a.metadata).includes("no answer within 1500ms"))).toBe(true);
  });

  it("refuses an answer larger than the limit", async () => {
    behaviour["/registration"] = answer(200, { identity: { traits: { email: "x".repeat(70_000) } } });
    const { status, body } = await failure(register("large@example.com"));
    expect(status).toBe(400);
    expect(body.ui.messages[0]).toMatchObject({ id: 4000001 });
  });

  it("calls the after-login hook with the identity, and lets it refuse the sign-in", async () => {
    behaviour["/registration"] = ok;
    const reg = await register("login-hook@example.com");
    behaviour["/login"] = ok;
    const flow = await api.createNativeLoginFlow();
    const login = await api.updateLoginFlow({
      flow: flow.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "login-hook@example.com",
        password: "a long passphrase 42",
      },
    });
    expect(login.session_token).toMatch(/^ory_st_/);
    const call = received.filter((r) => r.path === "/login").at(-1)!;
    expect(call.body).toEqual({
      user: reg.identity.id,
      email: "login-hook@example.com",
      line: "signed in: login-hook@example.com",
      flow: flow.id,
    });
    expect(call.headers.authorization).toBe(`Basic ${Buffer.from("olympus:p4ss").toString("base64")}`);

    behaviour["/login"] = answer(403, {
      messages: [
        { instance_ptr: "#/", messages: [{ id: 10002, text: "Your account is suspended.", type: "error" }] },
      ],
    });
    const again = await api.createNativeLoginFlow();
    const { status, body } = await failure(
      api.updateLoginFlow({
        flow: again.id,
        updateLoginFlowBody: {
          method: "password",
          identifier: "login-hook@example.com",
          password: "a long passphrase 42",
        },
      }),
    );
    expect(status).toBe(400);
    expect(body.ui.messages).toEqual([{ id: 10002, text: "Your account is suspended.", type: "error" }]);
    expect(body.session_token).toBeUndefined();
  });

  it("calls the after-settings hook with the changed traits, and keeps the identity when it refuses", async () => {
    behaviour["/registration"] = ok;
    const reg = await register("settings-hook@example.com");
    const token = reg.session_token!;
    const update = async (last: string) => {
      const flow = await api.createNativeSettingsFlow({ xSessionToken: token });
      return api.updateSettingsFlow({
        flow: flow.id,
        xSessionToken: token,
        updateSettingsFlowBody: {
          method: "profile",
          traits: { email: "settings-hook@example.com", name: { first: "Ada", last } },
        },
      });
    };
    behaviour["/settings"] = ok;
    const done = await update("Byron");
    expect(done.identity.traits).toMatchObject({ name: { last: "Byron" } });
    const call = received.filter((r) => r.path === "/settings").at(-1)!;
    expect(call.body.ctx.identity.id).toBe(reg.identity.id);
    expect(call.body.ctx.identity.traits.name).toEqual({ first: "Ada", last: "Byron" });

    behaviour["/settings"] = answer(422, {
      messages: [
        {
          instance_ptr: "#/traits/name/last",
          messages: [{ id: 10003, text: "Names are checked by HR.", type: "error" }],
        },
      ],
    });
    const { status, body } = await failure(update("Lovelace"));
    expect(status).toBe(400);
    const last = body.ui.nodes.find((n: any) => n.attributes.name === "traits.name.last");
    expect(last.messages).toEqual([{ id: 10003, text: "Names are checked by HR.", type: "error" }]);
    const [row] = await t.core.ctx.db.select().from(identities).where(eq(identities.id, reg.identity.id));
    expect(row!.traits).toMatchObject({ name: { last: "Byron" } });
  });

  it("retries a fire-and-forget hook from the queue until its receiver comes back", async () => {
    behaviour["/registration"] = ok;
    const res = await register("later@example.com");
    const [msg] = await t.core.ctx.db
      .select()
      .from(courierMessages)
      .where(and(eq(courierMessages.channel, "web_hook"), like(courierMessages.body, "%later@example.com%")));
    expect(msg?.body).toContain("later@example.com");
    // The receiver is down: attempts fail and are recorded.
    await expect
      .poll(
        async () =>
          (
            await t.core.ctx.db
              .select()
              .from(courierDispatches)
              .where(eq(courierDispatches.messageId, msg!.id))
          ).length,
        { timeout: 5000, interval: 50 },
      )
      .toBeGreaterThanOrEqual(2);
    // It comes back on the same port and receives the call.
    const later = await startReceiver(laterPort);
    try {
      await expect
        .poll(async () => received.filter((r) => r.body?.email === "later@example.com").length, {
          timeout: 5000,
          interval: 50,
        })
        .toBeGreaterThanOrEqual(1);
      const call = received.find((r) => r.path === "/later" && r.body?.email === "later@example.com")!;
      expect(call.body).toEqual({ id: res.identity.id, email: "later@example.com" });
      await expect
        .poll(
          async () =>
            (await t.core.ctx.db.select().from(courierMessages).where(eq(courierMessages.id, msg!.id)))[0]
              ?.status,
          { timeout: 5000, interval: 50 },
        )
        .toBe("sent");
      // Queued hooks are not courier messages on the admin API.
      const list = (await (await fetch(`${t.adminUrl}/admin/courier/messages`)).json()) as { id: string }[];
      expect(list.some((m) => m.id === msg!.id)).toBe(false);
      expect((await fetch(`${t.adminUrl}/admin/courier/messages/${msg!.id}`)).status).toBe(404);
    } finally {
      later.server.close();
    }
  });
});

describe("web hook configuration", () => {
  const withBody = (body: string) =>
    parseConfig(
      testConfig({
        dsn: "memory://",
        overrides: {
          selfservice: {
            flows: {
              settings: {
                after: { hooks: [{ hook: "web_hook", config: { url: "http://127.0.0.1:1/x", body } }] },
              },
            },
          },
        },
      }),
    );
  const b64 = (s: string) => `base64://${Buffer.from(s).toString("base64")}`;

  it("accepts a Jsonnet body at start, and refuses one that does not parse, naming the key and the line", async () => {
    await expect(
      checkWebHooks(withBody(b64("function(ctx) { id: ctx.identity.id }"))),
    ).resolves.toBeUndefined();
    await expect(
      checkWebHooks(withBody(b64("local ctx = std.extVar('ctx');\n{ id: ctx.identity.id, }"))),
    ).resolves.toBeUndefined();
    await expect(
      checkWebHooks(
        withBody(b64("local ctx = std.extVar('ctx');\n{\n  id: ctx.identity.id\n  email: 1,\n}")),
      ),
    ).rejects.toThrow(
      /selfservice\.flows\.settings\.after\.hooks\[0\]\.config\.body: the Jsonnet program does not parse: .*:4:3/,
    );
    await expect(checkWebHooks(withBody("file:///nonexistent/olympus/body.jsonnet"))).rejects.toThrow(
      /selfservice\.flows\.settings\.after\.hooks\[0\]\.config\.body: cannot read/,
    );
  });

  it("refuses a fire-and-forget hook that would interrupt", () => {
    expect(() =>
      parseConfig(
        testConfig({
          dsn: "memory://",
          overrides: {
            selfservice: {
              flows: {
                login: {
                  after: {
                    hooks: [
                      {
                        hook: "web_hook",
                        config: {
                          url: "http://127.0.0.1:1/x",
                          can_interrupt: true,
                          response: { ignore: true },
                        },
                      },
                    ],
                  },
                },
              },
            },
          },
        }),
      ),
    ).toThrow(/fire-and-forget/);
  });
});
