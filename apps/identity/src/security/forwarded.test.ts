import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../config/load.ts";
import { startTestCore, type TestCore, testConfig } from "../testing/index.ts";

/**
 * Red-team finding 3: a forged X-Forwarded-For defeated per-address limits. The core now believes the
 * header only from proxies the operator declares (none by default), and then only the hops that the
 * declared proxies appended. Clients here connect from distinct loopback addresses (127.0.0.2, .3, …)
 * so that the peer address itself differs, as it does for clients on the internet.
 */

interface Reply {
  status: number;
  body: any;
}

/** A JSON request from a chosen source address, optionally with an X-Forwarded-For header. */
function call(url: string, opts: { from: string; xff?: string; body?: unknown }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      url,
      {
        method: payload ? "POST" : "GET",
        localAddress: opts.from,
        headers: {
          accept: "application/json",
          ...(payload ? { "content-type": "application/json" } : {}),
          ...(opts.xff ? { "x-forwarded-for": opts.xff } : {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          text += d;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
        );
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const PW = "correct horse battery staple";

async function registerFrom(t: TestCore, email: string) {
  const flow = await call(`${t.publicUrl}/self-service/registration/api`, { from: "127.0.0.1" });
  const res = await call(`${t.publicUrl}/self-service/registration?flow=${flow.body.id}`, {
    from: "127.0.0.1",
    body: { method: "password", password: PW, traits: { email } },
  });
  expect(res.status).toBe(200);
}

/** One native login submission; the flow is fetched from the same address with the same header. */
async function loginFrom(
  t: TestCore,
  opts: { from: string; xff?: string; identifier: string; password: string },
): Promise<Reply> {
  const flow = await call(`${t.publicUrl}/self-service/login/api`, { from: opts.from, xff: opts.xff });
  return call(`${t.publicUrl}/self-service/login?flow=${flow.body.id}`, {
    from: opts.from,
    xff: opts.xff,
    body: { method: "password", identifier: opts.identifier, password: opts.password },
  });
}

const messageIds = (body: any): number[] => (body?.ui?.messages ?? []).map((m: { id: number }) => m.id);

/** Small limits; `trusted` undefined leaves security.trusted_proxies at the shipped default. */
const limits = (trusted: string[] | undefined) => ({
  overrides: {
    security: {
      trusted_proxies: trusted,
      rate_limit: { enabled: true, requests_per_minute: 3 },
      brute_force: { max_attempts: 100, ip_max_attempts: 3 },
    },
  },
});

describe("X-Forwarded-For with no trusted proxy (the default)", () => {
  let t: TestCore;
  beforeAll(async () => {
    // testConfig trusts loopback for the other suites; this core runs on the shipped default.
    t = await startTestCore(limits(undefined));
    await registerFrom(t, "victim@example.com");
  });
  afterAll(() => t?.stop());

  it("trusts no proxy by default", async () => {
    const input = testConfig({ dsn: "postgres://x@localhost/x" }) as { security?: Record<string, unknown> };
    delete input.security?.trusted_proxies;
    expect(parseConfig(input).security.trusted_proxies).toEqual([]);
    expect(() => parseConfig({ ...input, security: { trusted_proxies: ["10.0.0.0/33"] } })).toThrow(
      /trusted_proxies/,
    );
  });

  it("a rotating header does not defeat the per-address rate limit", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await loginFrom(t, {
        from: "127.0.0.2",
        xff: `198.51.100.${i + 1}`,
        identifier: `rotate${i}@example.com`,
        password: "wrong password!",
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });

  it("`X-Forwarded-For: 127.0.0.1` is limited like any other client", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await loginFrom(t, {
        from: "127.0.0.4",
        xff: "127.0.0.1",
        identifier: `loop${i}@example.com`,
        password: "wrong password!",
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it("a spoofed address cannot lock out the client who really has it", async () => {
    t.core.ctx.config.security.rate_limit.enabled = false;
    try {
      // The attacker at 127.0.0.5 claims to be the victim's 127.0.0.6 and fails past the address limit.
      for (let i = 0; i < 4; i++) {
        await loginFrom(t, {
          from: "127.0.0.5",
          xff: "127.0.0.6",
          identifier: `spoof${i}@example.com`,
          password: "wrong password!",
        });
      }
      const attacker = await loginFrom(t, {
        from: "127.0.0.5",
        identifier: "victim@example.com",
        password: PW,
      });
      expect(messageIds(attacker.body)).toEqual([4000100]);
      const victim = await loginFrom(t, {
        from: "127.0.0.6",
        identifier: "victim@example.com",
        password: PW,
      });
      expect(victim.status).toBe(200);
      expect(victim.body.session.devices[0].ip_address).toBe("127.0.0.6");
    } finally {
      t.core.ctx.config.security.rate_limit.enabled = true;
    }
  });
});

describe("X-Forwarded-For behind a declared proxy (Hera at 127.0.0.1)", () => {
  let t: TestCore;
  beforeAll(async () => {
    t = await startTestCore(limits(["127.0.0.1/32"]));
    await registerFrom(t, "victim@example.com");
  });
  afterAll(() => t?.stop());

  it("keys on the hop the proxy appended; what the client prepended is ignored", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Hera appends the address the browser connected from (203.0.113.7) to whatever it sent.
      const res = await loginFrom(t, {
        from: "127.0.0.1",
        xff: `198.51.100.${i + 1}, 203.0.113.7`,
        identifier: `behind${i}@example.com`,
        password: "wrong password!",
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    // Another client behind the same proxy keeps its own budget.
    const other = await loginFrom(t, {
      from: "127.0.0.1",
      xff: "203.0.113.8",
      identifier: "other@example.com",
      password: "wrong password!",
    });
    expect(other.status).toBe(400);
  });

  it("`127.0.0.1` prepended by the client does not exempt it", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await loginFrom(t, {
        from: "127.0.0.1",
        xff: `127.0.0.1, 203.0.113.9`,
        identifier: `pre${i}@example.com`,
        password: "wrong password!",
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it("a client that is not a declared proxy cannot speak for others", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await loginFrom(t, {
        from: "127.0.0.2",
        xff: `198.51.100.${i + 20}`,
        identifier: `direct${i}@example.com`,
        password: "wrong password!",
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it("a spoofed hop cannot lock out the address it names", async () => {
    t.core.ctx.config.security.rate_limit.enabled = false;
    try {
      for (let i = 0; i < 4; i++) {
        await loginFrom(t, {
          from: "127.0.0.1",
          xff: "203.0.113.50, 203.0.113.51",
          identifier: `lock${i}@example.com`,
          password: "wrong password!",
        });
      }
      const attacker = await loginFrom(t, {
        from: "127.0.0.1",
        xff: "203.0.113.51",
        identifier: "victim@example.com",
        password: PW,
      });
      expect(messageIds(attacker.body)).toEqual([4000100]);
      const victim = await loginFrom(t, {
        from: "127.0.0.1",
        xff: "203.0.113.50",
        identifier: "victim@example.com",
        password: PW,
      });
      expect(victim.status).toBe(200);
      expect(victim.body.session.devices[0].ip_address).toBe("203.0.113.50");
    } finally {
      t.core.ctx.config.security.rate_limit.enabled = true;
    }
  });
});
