import { and, asc, eq, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import {
  identities,
  identityCredentialIdentifiers,
  identityRecoveryAddresses,
  identityVerifiableAddresses,
} from "../../db/schema.ts";
import { badRequest } from "../../errors/index.ts";
import { pageParams } from "../../http/pagination.ts";
import { loadIdentities } from "../../identity/repository.ts";
import { isUuid } from "./input.ts";
import { adminIdentityWire } from "./wire.ts";

/*
 * GET /admin/olympus/identities/search — an Olympus extension for Athena and octl. Kratos'
 * listIdentities only matches sign-in identifiers, so an identity created through the API without
 * a password (no identifier) cannot be found by its email or name. Here every word of `q` must
 * occur (case-insensitively) in a trait value (never a key name), an address, a credential identifier, the external id,
 * or be the id itself; `schema_id` and `state` filter; pages are `page_size`/`page_token` with a
 * Link header (first, prev, next) and the total in `X-Total-Count`.
 */

const query = z.object({
  q: z.string().max(256).optional(),
  schema_id: z.string().max(256).optional(),
  state: z.enum(["active", "inactive"]).optional(),
});

const MAX_WORDS = 8;

/** Escapes LIKE wildcards so a search for `a_b%` matches those characters literally. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function wordMatches(ctx: AppContext, word: string): SQL {
  const pattern = `%${escapeLike(word)}%`;
  const inTable = (table: typeof identityVerifiableAddresses | typeof identityRecoveryAddresses) =>
    inArray(
      identities.id,
      ctx.db.select({ id: table.identityId }).from(table).where(ilike(table.value, pattern)),
    );
  const conditions: SQL[] = [
    // Trait values only, at any depth: the jsonb as text would also match key names, so "email"
    // or "name" would find every identity. Scalars are compared as their text (strings unquoted).
    sql`exists (select 1 from jsonb_path_query(${identities.traits}, 'strict $.**') as v(value)
      where jsonb_typeof(v.value) in ('string', 'number', 'boolean') and (v.value #>> '{}') ilike ${pattern})`,
    ilike(identities.externalId, pattern),
    inTable(identityVerifiableAddresses),
    inTable(identityRecoveryAddresses),
    inArray(
      identities.id,
      ctx.db
        .select({ id: identityCredentialIdentifiers.identityId })
        .from(identityCredentialIdentifiers)
        .where(ilike(identityCredentialIdentifiers.identifier, pattern)),
    ),
  ];
  if (isUuid(word)) conditions.push(eq(identities.id, word.toLowerCase()));
  return or(...conditions)!;
}

export async function searchIdentities(c: Context, ctx: AppContext): Promise<Response> {
  const parsed = query.safeParse({
    q: c.req.query("q") || undefined,
    schema_id: c.req.query("schema_id") || undefined,
    state: c.req.query("state") || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`${issue.path.join(".")}: ${issue.message}`);
  }
  const { q, schema_id: schemaId, state } = parsed.data;
  const { size, offset } = pageParams(c, { size: 25, max: 500 });
  const words = (q ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length > MAX_WORDS) throw badRequest(`q: at most ${MAX_WORDS} words`);
  const where: SQL[] = words.map((w) => wordMatches(ctx, w));
  if (schemaId) where.push(eq(identities.schemaId, schemaId));
  if (state) where.push(eq(identities.state, state));
  const condition = where.length ? and(...where) : undefined;

  const [rows, [count]] = await Promise.all([
    ctx.db
      .select({ id: identities.id })
      .from(identities)
      .where(condition)
      .orderBy(asc(identities.createdAt), asc(identities.id))
      .limit(size)
      .offset(offset),
    ctx.db.select({ n: sql<number>`count(*)::int` }).from(identities).where(condition),
  ]);
  const total = count?.n ?? 0;
  const full = await loadIdentities(
    ctx.db,
    rows.map((r) => r.id),
  );

  const link = (o: number) => {
    const url = new URL(urlJoin(ctx.rt.adminBaseUrl, "admin/olympus/identities/search"));
    if (q) url.searchParams.set("q", q);
    if (schemaId) url.searchParams.set("schema_id", schemaId);
    if (state) url.searchParams.set("state", state);
    url.searchParams.set("page_size", String(size));
    url.searchParams.set("page_token", Buffer.from(String(o)).toString("base64url"));
    return url.pathname + url.search;
  };
  const links = [`<${link(0)}>; rel="first"`];
  if (offset > 0) links.push(`<${link(Math.max(0, offset - size))}>; rel="prev"`);
  if (offset + size < total) links.push(`<${link(offset + size)}>; rel="next"`);
  c.header("Link", links.join(","));
  c.header("X-Total-Count", String(total));
  return c.json(full.map((f) => adminIdentityWire(ctx, f, { credentials: true })));
}
