import { sql } from "drizzle-orm";
import { TOTP, Secret } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";
import { get, json, login, node, post, register } from "../security/testkit.ts";
import { eraseIdentity, NOT_SUBJECT_KEYED, OAUTH2_SUBJECT_TABLES } from "./erasure.ts";

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
  // What the OAuth2 provider keeps by subject: a remembered login, a JWT-bearer trust for the subject.
  await rows(
    sql`insert into oauth2_login_sessions (id, subject, remember, authenticated_at, expires_at) values (gen_random_uuid(), ${id}, true, now(), now() + interval '1 hour')`,
  );
  await rows(
    sql`insert into oauth2_trusted_jwt_issuers (id, issuer, subject, scope, kid, public_jwk, expires_at) values (gen_random_uuid(), 'https://issuer.example', ${id}, '[]'::jsonb, ${`kid-${id}`}, '{}'::jsonb, now() + interval '1 hour')`,
  );
  return id;
}

describe("erasure", () => {
  it("deleting an identity leaves nothing about it behind, and nothing of anyone else goes", async () => {
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
    // Every table keyed by a text subject (from the catalog): rows naming the identity, in all of them.
    const subjectTables = (
      await rows(
        sql`select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'subject' and data_type = 'text' order by table_name`,
      )
    )
      .map((r) => String(r.table_name))
      .filter((table) => !(table in NOT_SUBJECT_KEYED));
    const bySubject = async (id: string) => {
      let n = 0;
      for (const table of subjectTables) {
        n += await count(sql`select count(*)::int as n from ${sql.identifier(table)} where subject = ${id}`);
      }
      return n;
    };
    expect(await bySubject(gone)).toBeGreaterThanOrEqual(2);
    expect(await count(mail("erase-me@example.com"))).toBeGreaterThan(0);
    expect(await count(throttles("erase-me@example.com"))).toBe(1);
    expect(await count(flows("erase-me@example.com"))).toBeGreaterThan(0);

    expect(await eraseIdentity(t.core.ctx, gone)).toBe(true);

    expect(await rowsOf(gone)).toEqual({});
    expect(await count(mail("erase-me@example.com"))).toBe(0);
    expect(await count(throttles("erase-me@example.com"))).toBe(0);
    expect(await count(flows("erase-me@example.com"))).toBe(0);
    expect(await bySubject(gone)).toBe(0);

    expect(await rowsOf(kept)).toEqual(await rowsOf(kept));
    expect((await rowsOf(kept)).identities).toBe(1);
    expect(await count(mail("keep-me@example.com"))).toBeGreaterThan(0);
    expect(await count(throttles("keep-me@example.com"))).toBe(1);
    expect(await bySubject(kept)).toBe(2);
    expect(await eraseIdentity(t.core.ctx, gone)).toBe(false);
  });

  // The deletion lists what it deletes; the catalog is the safety net that no table is forgotten.
  it("covers every table that names an identity: by a cascading key, or by subject in the list", async () => {
    const idColumns = await rows(
      sql`select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'identity_id' order by table_name`,
    );
    const cascading = new Set(
      (
        await rows(
          sql`select c.conrelid::regclass::text as table_name from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey) where c.contype = 'f' and c.confrelid = 'identities'::regclass and c.confdeltype = 'c' and a.attname = 'identity_id'`,
        )
      ).map((r) => String(r.table_name).replace(/^"|"$/g, "")),
    );
    for (const { table_name } of idColumns)
      expect(cascading, String(table_name)).toContain(String(table_name));
    const subjectTables = (
      await rows(
        sql`select table_name from information_schema.columns where table_schema = current_schema() and column_name = 'subject' and data_type = 'text' order by table_name`,
      )
    ).map((r) => String(r.table_name));
    const covered = new Set<string>([...OAUTH2_SUBJECT_TABLES, ...Object.keys(NOT_SUBJECT_KEYED)]);
    for (const table of subjectTables) expect(covered, table).toContain(table);
  });
});
