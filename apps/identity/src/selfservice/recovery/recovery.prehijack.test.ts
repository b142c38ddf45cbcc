import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  introspect,
  type OAuth2TestCore,
  runAuthorization,
} from "../../oauth2/test-helpers.ts";
import { get, json, login, messageIds, node, post, register } from "../../security/testkit.ts";
import {
  extractCode,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../../testing/index.ts";

/*
 * Account pre-hijacking (issue 16, finding 2): an attacker registers the victim's address — the
 * registration `session` hook signs them in before the address is verified — and prepares the account.
 * Whatever they do must not survive the owner's recovery, and the owner must never be asked for a
 * factor the attacker set up. All through the public and admin APIs, on PostgreSQL and PGlite.
 */

const ATTACKER_PW = "attacker chosen passphrase";
const OWNER_PW = "owner's own new passphrase";
const RECOVERY_HOOK = { after: { hooks: [{ hook: "revoke_active_sessions" }] } };

let mail: MailCatcher;
let t: TestCore;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "olympus-prehijack-"));
  // A schema with a second recoverable address, to try adding one beside an unverified address.
  const schema = join(dir, "two-addresses.schema.json");
  const address = {
    type: "string",
    format: "email",
    maxLength: 320,
    "ory.sh/kratos": { verification: { via: "email" }, recovery: { via: "email" } },
  };
  await writeFile(
    schema,
    JSON.stringify({
      $id: "https://olympus.local/schemas/test-two-addresses.json",
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        traits: {
          type: "object",
          properties: {
            email: {
              ...address,
              "ory.sh/kratos": {
                ...address["ory.sh/kratos"],
                credentials: { password: { identifier: true } },
              },
            },
            backup_email: address,
          },
          required: ["email"],
          additionalProperties: false,
        },
      },
    }),
  );
  mail = await startMailCatcher();
  t = await startTestCore({
    mail,
    overrides: {
      identity: { default_schema_id: "two", schemas: [{ id: "two", url: schema }] },
      selfservice: {
        flows: {
          recovery: RECOVERY_HOOK,
          settings: { after: { password: { hooks: [{ hook: "revoke_active_sessions" }] } } },
        },
        methods: { totp: { enabled: true }, lookup_secret: { enabled: true } },
      },
      secrets: { cipher: ["0123456789abcdef0123456789abcdef"] },
      security: { rate_limit: { enabled: false } },
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const whoami = (token: string) => get(`${t.publicUrl}/sessions/whoami`, { token });

async function settingsFlow(token: string): Promise<any> {
  const res = await get(`${t.publicUrl}/self-service/settings/api`, { token });
  expect(res.status).toBe(200);
  return json(res);
}

const settings = (flow: any, body: Record<string, unknown>, token: string) =>
  post(`${t.publicUrl}/self-service/settings?flow=${flow.id}`, body, { token });

async function linkTotp(token: string): Promise<Response> {
  const flow = await settingsFlow(token);
  const secret = node(flow, "totp_secret_key").attributes.text.context.secret as string;
  const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
  return settings(flow, { method: "totp", totp_code: totp.generate() }, token);
}

async function adminIdentity(id: string): Promise<any> {
  const res = await fetch(`${t.adminUrl}/admin/identities/${id}?include_credential=totp`);
  expect(res.status).toBe(200);
  return json(res);
}

async function setVerified(id: string, verified: boolean): Promise<void> {
  const res = await fetch(`${t.adminUrl}/admin/identities/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ op: "replace", path: "/verifiable_addresses/0/verified", value: verified }]),
  });
  expect(res.status).toBe(200);
}

/** The owner recovers by code through an API flow; returns their new session token. */
async function recover(email: string): Promise<{ token: string; settingsFlowId: string }> {
  await mail.clear();
  const flow = await json(await get(`${t.publicUrl}/self-service/recovery/api`));
  const sent = await post(`${t.publicUrl}/self-service/recovery?flow=${flow.id}`, { method: "code", email });
  expect(sent.status).toBe(200);
  const code = extractCode(await mail.waitFor(email, { match: (m) => /recover/i.test(m.subject) }));
  const done = await post(`${t.publicUrl}/self-service/recovery?flow=${flow.id}`, { method: "code", code });
  const body = await json(done);
  expect(done.status, JSON.stringify(body)).toBe(200);
  const byAction = Object.fromEntries(body.continue_with.map((c: any) => [c.action, c]));
  return {
    token: byAction.set_ory_session_token.ory_session_token,
    settingsFlowId: byAction.show_settings_ui.flow.id,
  };
}

describe("account pre-hijacking", () => {
  it("a registrant whose address is unverified cannot add TOTP, backup codes or another address", async () => {
    const { id, token } = await register(t.publicUrl, "victim-a@example.com", ATTACKER_PW);
    // Session-on-registration stays the default: the registrant is signed in.
    expect((await whoami(token)).status).toBe(200);

    const totp = await linkTotp(token);
    expect(totp.status).toBe(400);
    const totpBody = await json(totp);
    expect(messageIds(totpBody)).toEqual([4000110]);
    expect(totpBody.ui.messages[0].context).toEqual({ addresses: ["victim-a@example.com"] });

    const lookupFlow = await settingsFlow(token);
    const regenerate = await settings(
      lookupFlow,
      { method: "lookup_secret", lookup_secret_regenerate: true },
      token,
    );
    expect(regenerate.status).toBe(400);
    expect(messageIds(await json(regenerate))).toEqual([4000110]);
    const confirm = await settings(
      lookupFlow,
      { method: "lookup_secret", lookup_secret_confirm: true },
      token,
    );
    expect(confirm.status).toBe(400);
    expect(messageIds(await json(confirm))).toEqual([4000110]);

    // An address the registrant controls, beside the unverified one, would let them recover later.
    const profileFlow = await settingsFlow(token);
    const addAddress = await settings(
      profileFlow,
      { method: "profile", traits: { email: "victim-a@example.com", backup_email: "attacker@example.com" } },
      token,
    );
    expect(addAddress.status).toBe(400);
    expect(messageIds(await json(addAddress))).toEqual([4000110]);

    const stored = await adminIdentity(id);
    expect(Object.keys(stored.credentials).sort()).toEqual(["password"]);
    expect(stored.traits).toEqual({ email: "victim-a@example.com" });
    expect(stored.verifiable_addresses).toHaveLength(1);

    // Replacing the unverified address (a typo fixed) stays possible, and once every address is
    // verified a second factor can be linked.
    const fix = await settings(
      await settingsFlow(token),
      { method: "profile", traits: { email: "victim-a2@example.com" } },
      token,
    );
    expect(fix.status).toBe(200);
    await setVerified(id, true);
    expect((await linkTotp(token)).status).toBe(200);
  });

  it("the owner's recovery ends the registrant's sessions and password; the owner is never asked for aal2", async () => {
    const email = "victim-b@example.com";
    const { id, token: registered } = await register(t.publicUrl, email, ATTACKER_PW);
    const signedIn = await login(t.publicUrl, email, ATTACKER_PW);
    expect(signedIn.res.status).toBe(200);
    const attackerSessions = [registered, signedIn.body.session_token as string];
    // Factors enrolled while the address was (briefly) verified, or before this defence existed:
    // an operator marked the address verified by mistake and took it back.
    await setVerified(id, true);
    expect((await linkTotp(registered)).status).toBe(200);
    await setVerified(id, false);
    expect(Object.keys((await adminIdentity(id)).credentials).sort()).toEqual(["password", "totp"]);

    const owner = await recover(email);

    for (const token of attackerSessions) expect((await whoami(token)).status).toBe(401);
    const old = await login(t.publicUrl, email, ATTACKER_PW);
    expect(old.res.status).toBe(400);
    const stored = await adminIdentity(id);
    expect(stored.credentials ?? {}).toEqual({});
    expect(stored.verifiable_addresses[0]).toMatchObject({ verified: true, status: "completed" });

    // No session_aal2_required anywhere: whoami, the settings flow recovery created, a new one.
    const who = await whoami(owner.token);
    expect(who.status).toBe(200);
    expect((await json(who)).authenticator_assurance_level).toBe("aal1");
    const fromRecovery = await get(`${t.publicUrl}/self-service/settings/flows?id=${owner.settingsFlowId}`, {
      token: owner.token,
    });
    expect(fromRecovery.status).toBe(200);
    const setPassword = await settings(
      await json(fromRecovery),
      { method: "password", password: OWNER_PW },
      owner.token,
    );
    expect(setPassword.status).toBe(200);
    expect((await login(t.publicUrl, email, OWNER_PW)).res.status).toBe(200);
    // The owner's address is proven now: the owner may link their own factor.
    expect((await linkTotp(owner.token)).status).toBe(200);
  });

  it("OAuth2 tokens the registrant obtained for the account end with the owner's recovery", async () => {
    const email = "victim-oauth2@example.com";
    const { id } = await register(t.publicUrl, email, ATTACKER_PW);
    const o2: OAuth2TestCore = {
      ...t,
      issuer: t.core.oauth2.o2.issuer,
      admin: (path, init = {}) =>
        fetch(`${t.oauth2AdminUrl}${path}`, {
          ...init,
          headers: { "content-type": "application/json", ...(init.headers ?? {}) },
        }),
    };
    const client = await createClient(o2, { client_name: "some app" });
    const res = await exchangeCode(o2, client, await runAuthorization(o2, client, { subject: id }));
    expect(res.status).toBe(200);
    const issued = (await res.json()) as { access_token: string; refresh_token: string };
    expect((await introspect(o2, issued.access_token)).active).toBe(true);

    await recover(email);

    expect((await introspect(o2, issued.access_token)).active).toBe(false);
    expect((await introspect(o2, issued.refresh_token)).active).toBe(false);
  });

  it("a registrant's session dies with the owner's recovery even when nothing else was set up", async () => {
    const email = "victim-c@example.com";
    const { token } = await register(t.publicUrl, email, ATTACKER_PW);
    const owner = await recover(email);
    expect((await whoami(token)).status).toBe(401);
    expect((await whoami(owner.token)).status).toBe(200);
  });
});

describe("revoke_active_sessions", () => {
  it("recovery of a verified account ends every earlier session but keeps its credentials", async () => {
    const email = "verified-owner@example.com";
    const { id, token } = await register(t.publicUrl, email, ATTACKER_PW);
    await setVerified(id, true);
    const other = (await login(t.publicUrl, email, ATTACKER_PW)).body.session_token as string;
    const owner = await recover(email);
    expect((await whoami(token)).status).toBe(401);
    expect((await whoami(other)).status).toBe(401);
    expect((await whoami(owner.token)).status).toBe(200);
    expect(Object.keys((await adminIdentity(id)).credentials)).toEqual(["password"]);
  });

  it("a password change in settings ends the other sessions, not the one that changed it", async () => {
    const email = "changes-password@example.com";
    const { token } = await register(t.publicUrl, email, ATTACKER_PW);
    const other = (await login(t.publicUrl, email, ATTACKER_PW)).body.session_token as string;
    expect((await whoami(other)).status).toBe(200);
    const res = await settings(await settingsFlow(token), { method: "password", password: OWNER_PW }, token);
    expect(res.status).toBe(200);
    expect((await whoami(other)).status).toBe(401);
    expect((await whoami(token)).status).toBe(200);
  });
});
