import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addOidcProvider, providerEntry } from "../../selfservice/oidc/credential.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * DELETE /admin/identities/{id}/credentials/oidc?identifier=provider:subject — Kratos' shape: the
 * identifier is required and names one link; the others stay; the credential goes with its last link
 * (an administrator may remove it even when it is the only way in); each removal is audited.
 */

let t: TestCore;

beforeAll(async () => {
  t = await startTestCore();
}, 60_000);
afterAll(() => t?.stop());

async function identityWithLinks(email: string, links: [string, string][]): Promise<string> {
  const res = await fetch(`${t.adminUrl}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schema_id: "default", traits: { email } }),
  });
  const id = ((await res.json()) as { id: string }).id;
  for (const [provider, subject] of links) {
    await t.core.ctx.db.transaction((tx) =>
      addOidcProvider(tx, id, providerEntry(t.core.ctx, provider, subject, { access_token: "at" })),
    );
  }
  return id;
}

const remove = (id: string, query: string) =>
  fetch(`${t.adminUrl}/admin/identities/${id}/credentials/oidc${query}`, {
    method: "DELETE",
    headers: { "x-olympus-actor": "ops@example.com" },
  });

async function oidcIdentifiers(id: string): Promise<string[] | undefined> {
  const res = await fetch(`${t.adminUrl}/admin/identities/${id}`);
  const body = (await res.json()) as { credentials?: { oidc?: { identifiers?: string[] } } };
  return body.credentials?.oidc?.identifiers;
}

describe("removing a linked provider", () => {
  it("removes the named link only, then the last one with the credential, audited", async () => {
    const id = await identityWithLinks("links@example.com", [
      ["google", "g-1"],
      ["github", "gh-2"],
    ]);
    expect((await oidcIdentifiers(id))?.sort()).toEqual(["github:gh-2", "google:g-1"]);
    expect((await remove(id, "?identifier=google%3Ag-1")).status).toBe(204);
    expect(await oidcIdentifiers(id)).toEqual(["github:gh-2"]);
    // The last link: no password either, and the administrator may still remove it.
    expect((await remove(id, "?identifier=github%3Agh-2")).status).toBe(204);
    expect(await oidcIdentifiers(id)).toBeUndefined();

    const audit = await fetch(
      `${t.adminUrl}/admin/olympus/audit?event=admin.identities.credentials.delete&target=${id}`,
    );
    const rows = (await audit.json()) as { actor: string; metadata: Record<string, unknown> }[];
    expect(rows.map((r) => r.metadata.provider).sort()).toEqual(["github", "google"]);
    expect(rows[0]).toMatchObject({ actor: "admin", metadata: { admin: "ops@example.com" } });
  });

  it("the upstream account can then be linked to another identity", async () => {
    const a = await identityWithLinks("first-owner@example.com", [["google", "moving"]]);
    expect((await remove(a, "?identifier=google%3Amoving")).status).toBe(204);
    const b = await identityWithLinks("second-owner@example.com", [["google", "moving"]]);
    expect(await oidcIdentifiers(b)).toEqual(["google:moving"]);
  });

  it("requires the identifier and 404s one the identity does not have, changing nothing", async () => {
    const id = await identityWithLinks("keep-links@example.com", [["google", "g-9"]]);
    const other = await identityWithLinks("other-links@example.com", [["google", "g-10"]]);
    const missing = await remove(id, "");
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as any).error.reason).toBe(
      "You must provide an identifier to delete this credential.",
    );
    for (const q of [
      "?identifier=google%3Ag-10",
      "?identifier=google",
      "?identifier=g-9",
      `?identifier=${"x".repeat(5000)}`,
    ]) {
      const res = await remove(id, q);
      expect(res.status, q).toBe(404);
      expect(((await res.json()) as any).error.code, q).toBe(404);
    }
    expect(await oidcIdentifiers(id)).toEqual(["google:g-9"]);
    expect(await oidcIdentifiers(other)).toEqual(["google:g-10"]);
    // No oidc credential at all: Kratos' 404.
    const bare = await identityWithLinks("no-links@example.com", []);
    expect((await remove(bare, "?identifier=google%3Ax")).status).toBe(404);
  });
});
