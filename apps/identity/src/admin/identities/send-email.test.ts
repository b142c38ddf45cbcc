import { Configuration, FrontendApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CookieJar,
  csrfOf,
  extractCode,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../../testing/index.ts";

/*
 * Support without impersonation: an administrator has the core mail a recovery or verification
 * code to one of the identity's own addresses (real SMTP into MailDev); the code then works in the
 * recipient's browser, and the write is audited with the administrator's name.
 */

let t: TestCore;
let mail: MailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestCore({ mail });
}, 60_000);
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
});

const admin = (path: string, body?: unknown) =>
  fetch(`${t.adminUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-olympus-actor": "ada@iam" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function createIdentity(email: string): Promise<string> {
  const res = await fetch(`${t.adminUrl}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schema_id: "default", traits: { email } }),
  });
  return ((await res.json()) as { id: string }).id;
}

function browser() {
  const jar = new CookieJar();
  return {
    jar,
    api: new FrontendApi(
      new Configuration({ basePath: t.publicUrl, fetchApi: jar.fetch, credentials: "include" }),
    ),
  };
}

describe("admin-sent recovery email", () => {
  it("mails a code to the identity's recovery address that signs its owner in, audited", async () => {
    const id = await createIdentity("help-me@example.com");
    const res = await admin(`/admin/olympus/identities/${id}/recovery-email`);
    expect(res.status).toBe(202);
    const sent = (await res.json()) as { address: string; flow_id: string };
    expect(sent.address).toBe("help-me@example.com");

    const caught = await mail.waitFor("help-me@example.com", { match: (m) => /recover/i.test(m.subject) });
    expect(caught.text).toContain(`flow=${sent.flow_id}`);
    const code = extractCode(caught);

    const b = browser();
    const flow = await b.api.getRecoveryFlow({ id: sent.flow_id }).catch(() => undefined);
    // Bound to no browser: the recipient's browser reads the flow and submits the code with its own CSRF cookie.
    const fresh = flow ?? (await b.api.createBrowserRecoveryFlow());
    expect(fresh.id).toBe(sent.flow_id);
    const done = await b.jar.fetch(`${t.publicUrl}/self-service/recovery?flow=${sent.flow_id}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: new URLSearchParams({ csrf_token: csrfOf(fresh), method: "code", code }),
    });
    expect(done.status).toBe(303);
    expect((await b.api.toSession()).identity?.id).toBe(id);

    const audit = await fetch(
      `${t.adminUrl}/admin/olympus/audit?event=admin.olympus.identities.recovery-email&target=${id}`,
    );
    expect(await audit.json()).toEqual([
      expect.objectContaining({
        actor: "admin",
        target: id,
        metadata: expect.objectContaining({ admin: "ada@iam" }),
      }),
    ]);
  });

  it("sends only to the identity's own addresses, and refuses bad input with a 400 or 404", async () => {
    const id = await createIdentity("own@example.com");
    const other = await admin(`/admin/olympus/identities/${id}/recovery-email`, {
      address: "attacker@evil.test",
    });
    expect(other.status).toBe(400);
    expect(((await other.json()) as any).error.reason).toMatch(/not one of this identity/);
    expect((await admin(`/admin/olympus/identities/${id}/recovery-email`, { address: 5 })).status).toBe(400);
    expect((await admin(`/admin/olympus/identities/${id}/recovery-email`, { extra: true })).status).toBe(400);
    expect((await admin("/admin/olympus/identities/not-a-uuid/recovery-email")).status).toBe(404);
    expect(
      (await admin("/admin/olympus/identities/00000000-0000-4000-8000-000000000000/recovery-email")).status,
    ).toBe(404);
    expect((await mail.list()).some((m) => m.to.some((to) => to.address === "attacker@evil.test"))).toBe(
      false,
    );
  });
});

describe("admin-sent verification email", () => {
  it("mails a verification code whose link verifies the address in any browser", async () => {
    const id = await createIdentity("verify-me@example.com");
    const res = await admin(`/admin/olympus/identities/${id}/verification-email`, {
      address: "Verify-Me@example.com",
    });
    expect(res.status).toBe(202);
    const sent = (await res.json()) as { address: string; flow_id: string };
    const caught = await mail.waitFor("verify-me@example.com", { match: (m) => /verif/i.test(m.subject) });
    const link = /https?:\/\/\S+code=\d+/.exec(caught.text ?? "")![0];
    expect(link).toContain(`flow=${sent.flow_id}`);
    const b = browser();
    await b.jar.fetch(link, { headers: { accept: "text/html" } });
    const identity = (await (await fetch(`${t.adminUrl}/admin/identities/${id}`)).json()) as any;
    expect(identity.verifiable_addresses[0]).toMatchObject({ verified: true });

    // Verified now: a second send is refused.
    const again = await admin(`/admin/olympus/identities/${id}/verification-email`);
    expect(again.status).toBe(400);
  });
});
