import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../config/index.ts";
import { stopJsonnet } from "../../jsonnet/evaluate.ts";
import { CookieJar, csrfOf, startTestCore, type TestCore, testConfig } from "../../testing/index.ts";
import { checkMappers } from "./mapping.ts";
import { startTestUpstream, type TestUpstream } from "./upstream.fixture.ts";

/*
 * Kratos' Jsonnet claim mappers (`mapper_url`) against a second, independent OpenID provider
 * (oidc-provider): the GitHub- and Google-style mappers of Kratos' documentation make the traits, and
 * take an address only when the provider vouches for it; a mapper's verified_addresses and
 * metadata_admin are trusted as Kratos trusts them, but only for addresses the traits hold; a mapper
 * that never ends, reads a server file or returns the wrong shape fails the flow with a message and
 * creates nothing; a mapper that does not parse stops the core at start with its line.
 */

const CLIENT = { clientId: "olympus-jsonnet", clientSecret: "a-confidential-client-secret-for-jsonnet" };
const b64 = (s: string) => `base64://${Buffer.from(s).toString("base64")}`;

// Kratos' documented GitHub mapper: the address only when GitHub marks it verified.
const GITHUB = `local claims = {
  email_verified: false,
} + std.extVar('claims');

{
  identity: {
    traits: {
      [if 'email' in claims && claims.email_verified then 'email' else null]: claims.email,
    },
    verified_addresses: std.prune([
      if 'email' in claims && claims.email_verified then { via: 'email', value: claims.email },
    ]),
  },
}
`;

// Kratos' documented Google mapper (names in this schema's shape): Google's addresses are verified.
const GOOGLE = `local claims = {
  email_verified: true,
} + std.extVar('claims');

{
  identity: {
    traits: {
      [if 'email' in claims && claims.email_verified then 'email' else null]: claims.email,
      name: {
        first: claims.given_name,
        last: claims.family_name,
      },
    },
    metadata_public: { locale: std.get(claims, 'locale', 'en') },
  },
}
`;

// A careless mapper: trusts every address and derives admin metadata from an unverified claim.
const TRUSTING = `local claims = std.extVar('claims');
{
  identity: {
    traits: { email: claims.email },
    metadata_admin: { corp: std.endsWith(claims.email, '@corp.example') },
    verified_addresses: [
      { via: 'email', value: ' ' + std.asciiUpper(claims.email) + ' ' },
      { via: 'email', value: 'ceo@corp.example' },
    ],
  },
}
`;

const LOOP = "local f(x) = f(x + 1) tailstrict;\n{ identity: { traits: { email: f(0) } } }\n";
const PASSWD =
  "{ identity: { traits: { email: std.extVar('claims').email, name: { first: importstr '/etc/passwd' } } } }";
const WRONG_SHAPE = "{ identity: { traits: 'not an object' } }";

const PROVIDERS: Record<string, string> = {
  google: b64(GOOGLE),
  trusting: b64(TRUSTING),
  loop: b64(LOOP),
  passwd: b64(PASSWD),
  shape: b64(WRONG_SHAPE),
};

let t: TestCore;
let up: TestUpstream;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "olympus-mapper-"));
  const githubFile = join(dir, "github.jsonnet");
  writeFileSync(githubFile, GITHUB);
  const mappers = { github: pathToFileURL(githubFile).toString(), ...PROVIDERS };
  const pending = await startTestUpstream();
  t = await startTestCore({
    overrides: {
      selfservice: {
        flows: { registration: { after: { oidc: { hooks: [{ hook: "session" }] } } } },
        methods: {
          oidc: {
            enabled: true,
            config: {
              providers: Object.entries(mappers).map(([id, mapper_url]) => ({
                id,
                provider: "generic",
                client_id: CLIENT.clientId,
                client_secret: CLIENT.clientSecret,
                issuer_url: pending.issuer,
                scope: ["openid", "email", "profile"],
                mapper_url,
              })),
            },
          },
        },
      },
    },
  });
  up = await pending.register({
    ...CLIENT,
    redirectUris: Object.keys(mappers).map((id) =>
      new URL(`self-service/methods/oidc/callback/${id}`, t.core.ctx.rt.publicBaseUrl).toString(),
    ),
  });
}, 120_000);

afterAll(async () => {
  await up?.close();
  await t?.stop();
  stopJsonnet();
});

type Flow = {
  id: string;
  ui: {
    nodes: { group: string; attributes: Record<string, unknown>; messages: { id: number }[] }[];
    messages?: { id: number; type: string; text: string; context?: Record<string, unknown> }[];
  };
};

function form(fields: Record<string, string>): RequestInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  };
}

async function readFlow(jar: CookieJar, id: string): Promise<Flow> {
  const res = await jar.fetch(`${t.publicUrl}/self-service/registration/flows?id=${id}`, {
    headers: { accept: "application/json" },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Flow;
}

/** A registration flow whose button for `provider` was pressed, walked through the upstream. */
async function signUp(jar: CookieJar, provider: string, subject: string) {
  const init = await jar.fetch(`${t.publicUrl}/self-service/registration/browser`);
  const flowId = new URL(init.headers.get("location")!).searchParams.get("flow")!;
  const flow = await readFlow(jar, flowId);
  up.nextSubject = subject;
  const submit = await jar.fetch(
    `${t.publicUrl}/self-service/registration?flow=${flowId}`,
    form({ csrf_token: csrfOf(flow as never), provider }),
  );
  expect(submit.status).toBe(303);
  let url = submit.headers.get("location")!;
  for (let i = 0; i < 15; i++) {
    const res = await jar.fetch(url);
    if (url.includes("/self-service/methods/oidc/callback/")) return { flowId, callback: res };
    const loc = res.headers.get("location");
    if (res.status < 300 || res.status >= 400 || !loc) throw new Error(`stuck at ${url}: ${res.status}`);
    url = new URL(loc, url).toString();
  }
  throw new Error("too many redirects");
}

async function whoami(jar: CookieJar) {
  const res = await jar.fetch(`${t.publicUrl}/sessions/whoami`, { headers: { accept: "application/json" } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function identities(): Promise<Record<string, any>[]> {
  return (await (await fetch(`${t.adminUrl}/admin/identities?page_size=1000`)).json()) as Record<
    string,
    any
  >[];
}

/** The callback must send the browser back to the registration flow with a 4000120 error, nothing made. */
async function expectRefused(jar: CookieJar, flowId: string, callback: Response, before: number) {
  expect(callback.status).toBe(303);
  const to = new URL(callback.headers.get("location")!);
  expect(to.pathname).toBe("/registration");
  const flow = await readFlow(jar, to.searchParams.get("flow") ?? flowId);
  const message = flow.ui.messages?.find((m) => m.type === "error");
  expect(message).toMatchObject({ id: 4000120, type: "error" });
  expect(message?.context?.error_kind).toBe("misconfigured");
  expect(JSON.stringify(flow)).not.toMatch(/root:|\/etc\/passwd|RUNTIME ERROR|STATIC ERROR/);
  expect((await whoami(jar)).status).toBe(401);
  expect((await identities()).length).toBe(before);
}

describe("Jsonnet claim mappers", () => {
  it("Kratos' GitHub mapper: a verified address becomes the verified email trait", async () => {
    up.accounts.set("gh-verified", { email: "Octo@Example.com", email_verified: true });
    const jar = new CookieJar();
    const { callback } = await signUp(jar, "github", "gh-verified");
    expect(callback.status).toBe(303);
    expect(new URL(callback.headers.get("location")!).pathname).not.toBe("/registration");
    const me = await whoami(jar);
    expect(me.status).toBe(200);
    // Traits are what the mapper returns; the address is kept normalised, and verified.
    expect(me.body.identity.traits).toEqual({ email: "Octo@Example.com" });
    expect(me.body.identity.verifiable_addresses[0]).toMatchObject({
      value: "octo@example.com",
      verified: true,
    });
  });

  it("Kratos' GitHub mapper: an unverified address is left out, so the form asks for one", async () => {
    up.accounts.set("gh-unverified", { email: "someone@example.com", email_verified: false });
    const before = (await identities()).length;
    const jar = new CookieJar();
    const { callback } = await signUp(jar, "github", "gh-unverified");
    expect(callback.status).toBe(303);
    const to = new URL(callback.headers.get("location")!);
    expect(to.pathname).toBe("/registration");
    const flow = await readFlow(jar, to.searchParams.get("flow")!);
    const email = flow.ui.nodes.find((n) => n.attributes.name === "traits.email")!;
    expect(email.attributes.value ?? "").toBe("");
    expect(email.messages.map((m) => m.id)).toContain(4000002);
    expect((await identities()).length).toBe(before);
  });

  it("Kratos' Google mapper: address, names and public metadata", async () => {
    up.accounts.set("google-sub", { email: "grace@example.com", given_name: "Grace", family_name: "Hopper" });
    const jar = new CookieJar();
    await signUp(jar, "google", "google-sub");
    const me = await whoami(jar);
    expect(me.status).toBe(200);
    expect(me.body.identity.traits).toEqual({
      email: "grace@example.com",
      name: { first: "Grace", last: "Hopper" },
    });
    expect(me.body.identity.metadata_public).toEqual({ locale: "en" });
  });

  it("trusts a mapper's verified_addresses and metadata_admin as Kratos does, only for the identity's own addresses", async () => {
    up.accounts.set("careless-sub", { email: "mallory@corp.example", email_verified: false });
    const jar = new CookieJar();
    await signUp(jar, "trusting", "careless-sub");
    const me = await whoami(jar);
    expect(me.status).toBe(200);
    // The mapper vouched for the address (normalised as Kratos does): it is verified, as in Kratos.
    expect(me.body.identity.verifiable_addresses).toHaveLength(1);
    expect(me.body.identity.verifiable_addresses[0]).toMatchObject({
      value: "mallory@corp.example",
      verified: true,
    });
    // Admin metadata is stored but never shown to the user.
    expect(me.body.identity.metadata_admin).toBeUndefined();
    const admin = (await (
      await fetch(`${t.adminUrl}/admin/identities/${me.body.identity.id}`)
    ).json()) as Record<string, any>;
    expect(admin.metadata_admin).toEqual({ corp: true });
    // An address the traits do not hold is not added, verified or not.
    const all = await identities();
    expect(
      all
        .flatMap((i) => (i.verifiable_addresses ?? []) as { value: string }[])
        .some((a) => a.value === "ceo@corp.example"),
    ).toBe(false);
  });

  it("stops a mapper that never ends: the flow fails with a message within the time limit, nothing is created", async () => {
    up.accounts.set("loop-sub", { email: "loop@example.com", email_verified: true });
    const before = (await identities()).length;
    const jar = new CookieJar();
    const started = Date.now();
    const { flowId, callback } = await signUp(jar, "loop", "loop-sub");
    expect(Date.now() - started).toBeLessThan(15_000);
    await expectRefused(jar, flowId, callback, before);
  });

  it("refuses a mapper that imports /etc/passwd, and one that returns the wrong shape", async () => {
    up.accounts.set("passwd-sub", { email: "passwd@example.com", email_verified: true });
    const before = (await identities()).length;
    const jar = new CookieJar();
    const passwd = await signUp(jar, "passwd", "passwd-sub");
    await expectRefused(jar, passwd.flowId, passwd.callback, before);
    const jar2 = new CookieJar();
    const shape = await signUp(jar2, "shape", "passwd-sub");
    await expectRefused(jar2, shape.flowId, shape.callback, before);
  });
});

describe("Jsonnet mapper configuration", () => {
  const providers = (mapper_url: string) =>
    parseConfig(
      testConfig({
        dsn: "memory://",
        overrides: {
          selfservice: {
            methods: {
              oidc: {
                enabled: true,
                config: {
                  providers: [
                    {
                      id: "broken",
                      provider: "generic",
                      client_id: "x",
                      client_secret: "y",
                      issuer_url: "https://issuer.example/",
                      mapper_url,
                    },
                  ],
                },
              },
            },
          },
        },
      }),
    ).selfservice.methods.oidc.config.providers;

  it("refuses at start a mapper that does not parse, naming the provider and the line", async () => {
    await expect(
      checkMappers(
        providers(
          b64("local claims = std.extVar('claims');\n{\n  identity: {traits: {email: claims.email,}\n}\n"),
        ),
      ),
    ).rejects.toThrow(
      /providers\[broken\]\.mapper_url: the Jsonnet program does not parse: .*mapper_url:5 \(at the end of the program\): expected a comma/,
    );
    await expect(
      checkMappers(providers(b64("{ identity: { traits: { email: claim.email } } }"))),
    ).rejects.toThrow(/Unknown variable: claim/);
    await expect(checkMappers(providers("file:///nonexistent/olympus/mapper.jsonnet"))).rejects.toThrow(
      /providers\[broken\]\.mapper_url: cannot read/,
    );
    // A valid program, and a declarative mapping at mapper_url, pass.
    await expect(checkMappers(providers(b64(GOOGLE)))).resolves.toBeUndefined();
    await expect(
      checkMappers(
        providers(b64(JSON.stringify({ traits: { email: "email" }, verified: { email: "email_verified" } }))),
      ),
    ).resolves.toBeUndefined();
    await expect(checkMappers(providers(b64(JSON.stringify({ traits: { email: 5 } }))))).rejects.toThrow(
      /providers\[broken\]\.mapper_url: traits\.email/,
    );
  });
});
