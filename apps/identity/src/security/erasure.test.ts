import { sql } from "drizzle-orm";
import { TOTP, Secret } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";
import { eraseIdentity } from "./erasure.ts";
import { get, json, login, node, post, register } from "./testkit.ts";

let t: TestCore;
const PW = "correct horse battery";

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: { methods: { totp: { enabled: true } } },
      security: { rate_limit: { enabled: false } },
    },
  });
});
afterAll(() => t?.stop());

async function rows(query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  const r = (await t.core.ctx.db.execute(query)) as unknown;
  return (Array.isArray(r) ? r : (r as { rows: Record<string, unknown>[] }).rows) as Record<
    string,
    unknown
  >[];
}

/** Every row, in any table with an identity_id column, that belongs to the identity. */
async function rowsOf(identityId: string): Promise<Record<string, number>> {
  const tables = await rows(
    sql`select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'identity_id'`,
  );
  const out: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [c] = await rows(
      sql`select count(*)::int as n from ${sql.identifier(String(table_name))} where identity_id = ${identityId}`,
    );
    if (Number(c!.n) > 0) out[String(table_name)] = Number(c!.n);
  }
  const [self] = await rows(sql`select count(*)::int as n from identities where id = ${identityId}`);
  if (Number(self!.n) > 0) out.identities = Number(self!.n);
  return out;
}

/** Gives an identity everything that can hang off it: sessions, flows, codes, mail, lockout counters, TOTP. */
async function populate(email: string): Promise<string> {
  const { id, token } = await register(t.publicUrl, email, PW);
  await login(t.publicUrl, email, PW);
  await login(t.publicUrl, email, "wrong password!", { ip: "203.0.113.90" });
  const rec = await json(await get(`${t.publicUrl}/self-service/recovery/api`));
  await post(`${t.publicUrl}/self-service/recovery?flow=${rec.id}`, { method: "code", email });
  const ver = await json(await get(`${t.publicUrl}/self-service/verification/api`));
  await post(`${t.publicUrl}/self-service/verification?flow=${ver.id}`, { method: "code", email });
  const settings = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
  const secret = node(settings, "totp_secret_key").attributes.text.context.secret;
  const code = new TOTP({ secret: Secret.fromBase32(secret) }).generate();
  await post(
    `${t.publicUrl}/self-service/settings?flow=${settings.id}`,
    { method: "totp", totp_code: code },
    { token },
  );
  // A table keyed by subject, as the OAuth2 provider's grants and login sessions are.
  await rows(sql`insert into erasure_probe (subject) values (${id})`);
  return id;
}

describe("erasure", () => {
  it("deleting an identity leaves nothing about it behind, and nothing of anyone else goes", async () => {
    await rows(sql`create table if not exists erasure_probe (subject text not null)`);
    const gone = await populate("erase-me@example.com");
    const kept = await populate("keep-me@example.com");

    const before = await rowsOf(gone);
    for (const table of [
      "identities",
      "identity_credentials",
      "sessions",
      "selfservice_flows",
      "selfservice_codes",
    ]) {
      expect(before[table], table).toBeGreaterThan(0);
    }
    const count = async (q: ReturnType<typeof sql>) => Number((await rows(q))[0]!.n);
    const mail = (to: string) => sql`select count(*)::int as n from courier_messages where recipient = ${to}`;
    const throttles = (key: string) =>
      sql`select count(*)::int as n from security_login_throttles where key = ${key}`;
    const flows = (to: string) =>
      sql`select count(*)::int as n from selfservice_flows where data->>'address' = ${to}`;
    const probe = (id: string) => sql`select count(*)::int as n from erasure_probe where subject = ${id}`;
    expect(await count(mail("erase-me@example.com"))).toBeGreaterThan(0);
    expect(await count(throttles("erase-me@example.com"))).toBe(1);
    expect(await count(flows("erase-me@example.com"))).toBeGreaterThan(0);

    expect(await eraseIdentity(t.core.ctx, gone)).toBe(true);

    expect(await rowsOf(gone)).toEqual({});
    expect(await count(mail("erase-me@example.com"))).toBe(0);
    expect(await count(throttles("erase-me@example.com"))).toBe(0);
    expect(await count(flows("erase-me@example.com"))).toBe(0);
    expect(await count(probe(gone))).toBe(0);

    expect(await rowsOf(kept)).toEqual(await rowsOf(kept));
    expect((await rowsOf(kept)).identities).toBe(1);
    expect(await count(mail("keep-me@example.com"))).toBeGreaterThan(0);
    expect(await count(throttles("keep-me@example.com"))).toBe(1);
    expect(await count(probe(kept))).toBe(1);
    expect(await eraseIdentity(t.core.ctx, gone)).toBe(false);
  });
});
