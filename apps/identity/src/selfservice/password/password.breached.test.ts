import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, json, node, post, register, type StandIn, startStandIn } from "../../security/testkit.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
let hibp: StandIn;
const warnings: string[] = [];
// Passwords the stand-in reports as breached (by full SHA-1), with their counts.
const breached = new Map<string, number>();

const sha1 = (p: string) => createHash("sha1").update(p).digest("hex").toUpperCase();
function markBreached(password: string, count: number) {
  breached.set(sha1(password), count);
}

beforeAll(async () => {
  // A stand-in for api.pwnedpasswords.com: GET /range/<5 hex> → "SUFFIX:COUNT" lines.
  hibp = await startStandIn((req, res) => {
    const m = /^\/range\/([0-9A-F]{5})$/.exec(req.path);
    if (!m) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const lines = [...breached].filter(([h]) => h.startsWith(m[1]!)).map(([h, n]) => `${h.slice(5)}:${n}`);
    lines.push("0000000000000000000000000000000000A:0");
    res.end(lines.join("\r\n"));
  });
  t = await startTestCore({
    overrides: {
      selfservice: {
        methods: {
          password: {
            config: {
              haveibeenpwned_enabled: true,
              haveibeenpwned_url: hibp.url,
              haveibeenpwned_mode: "warn",
            },
          },
        },
      },
      security: { rate_limit: { enabled: false } },
    },
  });
  const log = t.core.ctx.log;
  const warn = log.warn.bind(log);
  log.warn = (msg, fields) => {
    warnings.push(msg);
    warn(msg, fields);
  };
});
afterAll(async () => {
  await t?.stop();
  await hibp?.close();
});

async function submitRegistration(flowId: string, email: string, password: string) {
  const res = await post(`${t.publicUrl}/self-service/registration?flow=${flowId}`, {
    method: "password",
    password,
    traits: { email },
  });
  return { res, body: await json(res) };
}

describe("breached passwords", () => {
  it("only a five-hex SHA-1 prefix leaves the process", async () => {
    hibp.requests.length = 0;
    const password = "a perfectly fine passphrase 1";
    await register(t.publicUrl, "prefix@example.com", password);
    expect(hibp.requests).toHaveLength(1);
    const [req] = hibp.requests;
    expect(req!.method).toBe("GET");
    expect(req!.path).toBe(`/range/${sha1(password).slice(0, 5)}`);
    expect(req!.body).toBe("");
    const everything = JSON.stringify(req);
    expect(everything).not.toContain(sha1(password).slice(5));
    expect(everything).not.toContain(password);
  });

  it("warn mode: the first submission answers 400 with an info warning, the same password again proceeds", async () => {
    const password = "breached but wanted 2";
    markBreached(password, 42);
    const flow = await json(await get(`${t.publicUrl}/self-service/registration/api`));
    const first = await submitRegistration(flow.id, "warned@example.com", password);
    expect(first.res.status).toBe(400);
    const msg = node(first.body, "password").messages[0];
    expect(msg).toMatchObject({ id: 4000101, type: "info", context: { breaches: 42 } });
    // Another breached password is warned about anew.
    const other = "another breached one 3";
    markBreached(other, 7);
    const second = await submitRegistration(flow.id, "warned@example.com", other);
    expect(second.res.status).toBe(400);
    expect(node(second.body, "password").messages[0]).toMatchObject({
      id: 4000101,
      context: { breaches: 7 },
    });
    const third = await submitRegistration(flow.id, "warned@example.com", other);
    expect(third.res.status).toBe(200);
    // The warning is remembered per flow: a new flow warns again.
    const fresh = await json(await get(`${t.publicUrl}/self-service/registration/api`));
    const again = await submitRegistration(fresh.id, "warned-2@example.com", password);
    expect(again.res.status).toBe(400);
  });

  it("block mode refuses a breached password with 4000034, however often it is sent", async () => {
    t.core.ctx.config.security.breached_password.mode = "block";
    try {
      const password = "blocked breached pass 4";
      markBreached(password, 3);
      const flow = await json(await get(`${t.publicUrl}/self-service/registration/api`));
      for (let i = 0; i < 2; i++) {
        const r = await submitRegistration(flow.id, "blocked@example.com", password);
        expect(r.res.status).toBe(400);
        expect(node(r.body, "password").messages[0]).toMatchObject({ id: 4000034, type: "error" });
      }
    } finally {
      t.core.ctx.config.security.breached_password.mode = undefined;
    }
  });

  it("settings password change: warned once, then accepted", async () => {
    const { token } = await register(
      t.publicUrl,
      "settings-breach@example.com",
      "an unbreached passphrase 5",
    );
    const password = "settings breached pass 6";
    markBreached(password, 9);
    const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
    const url = `${t.publicUrl}/self-service/settings?flow=${flow.id}`;
    const first = await post(url, { method: "password", password }, { token });
    expect(first.status).toBe(400);
    expect(node(await json(first), "password").messages[0]).toMatchObject({ id: 4000101 });
    const second = await post(url, { method: "password", password }, { token });
    expect(second.status).toBe(200);
  });

  it("caches range responses and fails open, with a log line, when the service is unreachable", async () => {
    hibp.requests.length = 0;
    await register(t.publicUrl, "cache-1@example.com", "cached passphrase number 7");
    await register(t.publicUrl, "cache-2@example.com", "cached passphrase number 7");
    expect(hibp.requests).toHaveLength(1);
    const cfg = t.core.ctx.config.selfservice.methods.password.config;
    const url = cfg.haveibeenpwned_url;
    cfg.haveibeenpwned_url = "http://127.0.0.1:1";
    try {
      warnings.length = 0;
      await register(t.publicUrl, "offline@example.com", "never seen passphrase 8");
      expect(warnings.some((w) => w.includes("haveibeenpwned check failed"))).toBe(true);
    } finally {
      cfg.haveibeenpwned_url = url;
    }
  });
});
