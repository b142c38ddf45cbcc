import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../app/context.ts";
import { loadIdentity } from "../../identity/repository.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";
import { keyIdHex, keysOf, newUserHandle, storedKey } from "./credentials.ts";
import { addKey } from "./store.ts";

/*
 * The admin API's view of passkeys and security keys: `include_credential` shows them in Kratos' shape,
 * and DELETE …/credentials/{passkey|webauthn}?identifier=<hex id> removes one key, audited, never the
 * identity's last way to sign in.
 */

let t: TestCore;
let ctx: AppContext;

beforeAll(async () => {
  t = await startTestCore();
  ctx = t.core.ctx;
}, 180_000);
afterAll(() => t?.stop());

async function createIdentity(email: string, password?: string): Promise<string> {
  const res = await fetch(`${t.adminUrl}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      schema_id: "default",
      traits: { email },
      ...(password ? { credentials: { password: { config: { password } } } } : {}),
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A key as registration stores it (no ceremony needed to test the admin side). */
function key(name: string, byte: number) {
  return storedKey({
    credential: {
      id: Buffer.alloc(16, byte).toString("base64url"),
      publicKey: new Uint8Array([1, 2, 3]),
      counter: 0,
    },
    aaguid: "00000000-0000-0000-0000-000000000000",
    attestationType: "none",
    displayName: name,
    passwordless: true,
    userVerified: true,
    backupEligible: false,
    backedUp: false,
  });
}

const del = (id: string, type: string, identifier?: string) =>
  fetch(
    `${t.adminUrl}/admin/identities/${id}/credentials/${type}${identifier ? `?identifier=${identifier}` : ""}`,
    { method: "DELETE", headers: { "x-olympus-actor": "admin@example.com" } },
  );

describe("admin API: passkeys and security keys", () => {
  it("include_credential=passkey shows the keys in Kratos' shape; one key is removed by its hex id, audited", async () => {
    const id = await createIdentity("admin-pk@example.com", "correct horse battery");
    const handle = newUserHandle();
    const [a, b] = [key("Laptop", 1), key("Phone", 2)];
    expect(await addKey(ctx.db, id, "passkey", handle, a)).toBe("added");
    expect(await addKey(ctx.db, id, "passkey", handle, b)).toBe("added");
    expect(await addKey(ctx.db, id, "passkey", handle, a)).toBe("duplicate");

    const shown: any = await (
      await fetch(`${t.adminUrl}/admin/identities/${id}?include_credential=passkey`)
    ).json();
    expect(shown.credentials.passkey.identifiers).toEqual([
      Buffer.from(handle, "base64").toString("base64url"),
    ]);
    expect(shown.credentials.passkey.config).toMatchObject({
      user_handle: handle,
      credentials: [
        {
          id: Buffer.alloc(16, 1).toString("base64"),
          display_name: "Laptop",
          attestation_type: "none",
          is_passwordless: true,
          authenticator: { sign_count: 0, clone_warning: false },
        },
        { display_name: "Phone" },
      ],
    });

    expect((await del(id, "passkey", keyIdHex(a))).status).toBe(204);
    const left = keysOf((await loadIdentity(ctx.db, id))!, "passkey");
    expect(left.map((k) => k.display_name)).toEqual(["Phone"]);
    const rows: any = await (
      await fetch(`${t.adminUrl}/admin/olympus/audit?event=admin.identity.passkey.removed`)
    ).json();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target: id });
    expect(JSON.stringify(rows[0].metadata)).toContain("Laptop");

    expect((await del(id, "passkey", "00ff")).status).toBe(404);
    expect((await del(id, "passkey", "not-hex")).status).toBe(404);
  });

  it("the only passkey of an identity without a password is its last first factor: kept", async () => {
    const id = await createIdentity("admin-pk-only@example.com");
    const only = key("Only", 3);
    await addKey(ctx.db, id, "passkey", newUserHandle(), only);
    expect((await del(id, "passkey", keyIdHex(only))).status).toBe(400);
    expect((await del(id, "passkey")).status).toBe(400);
    expect(keysOf((await loadIdentity(ctx.db, id))!, "passkey")).toHaveLength(1);
  });

  it("security keys (second factor) are removed one by one or all at once", async () => {
    const id = await createIdentity("admin-sk@example.com", "correct horse battery");
    const handle = newUserHandle();
    await addKey(ctx.db, id, "webauthn", handle, key("YubiKey", 4));
    await addKey(ctx.db, id, "webauthn", handle, key("Backup key", 5));
    expect((await del(id, "webauthn", keyIdHex(key("YubiKey", 4)))).status).toBe(204);
    expect(keysOf((await loadIdentity(ctx.db, id))!, "webauthn").map((k) => k.display_name)).toEqual([
      "Backup key",
    ]);
    expect((await del(id, "webauthn")).status).toBe(204);
    expect((await loadIdentity(ctx.db, id))!.credentials.some((c) => c.type === "webauthn")).toBe(false);
  });
});
