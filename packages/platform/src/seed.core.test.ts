// seedDomain against a real identity core: the demo identities it creates can sign in.
import { fileURLToPath } from "node:url";
import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { seedDomain } from "./seed.mjs";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const seeds = `${root}seeds`;
let t: TestCore;

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      identity: {
        default_schema_id: "admin",
        schemas: [{ id: "admin", url: `${root}seeds/iam/schemas/admin.schema.json` }],
      },
    },
  });
});
afterAll(() => t?.stop());

it("seeds the IAM demo identities once, idempotently, and they can sign in", async () => {
  const first = await seedDomain(seeds, { domain: "iam", kratosAdmin: t.adminUrl });
  expect(first.identities).toEqual({ created: ["admin@demo.user", "viewer@demo.user"], existing: [] });
  const again = await seedDomain(seeds, { domain: "iam", kratosAdmin: t.adminUrl });
  expect(again.identities).toEqual({ created: [], existing: ["admin@demo.user", "viewer@demo.user"] });

  const flow = (await (await fetch(`${t.publicUrl}/self-service/login/api`)).json()) as { id: string };
  const res = await fetch(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ method: "password", identifier: "admin@demo.user", password: "admin123!" }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    session: {
      identity: {
        id: string;
        traits: Record<string, unknown>;
        verifiable_addresses: { verified: boolean }[];
      };
    };
  };
  expect(body.session.identity.verifiable_addresses[0]?.verified).toBe(true);
  // The role grants power, so it is not a trait its owner could rewrite: it is in metadata_admin.
  expect(body.session.identity.traits).not.toHaveProperty("role");
  const admin = (await (
    await fetch(`${t.adminUrl}/admin/identities/${body.session.identity.id}`)
  ).json()) as { metadata_admin: { role: string } };
  expect(admin.metadata_admin.role).toBe("admin");
});

it("reports an unreachable admin API clearly", async () => {
  await expect(seedDomain(seeds, { domain: "iam", kratosAdmin: "http://127.0.0.1:9" })).rejects.toThrow(
    /127\.0\.0\.1:9/,
  );
});
