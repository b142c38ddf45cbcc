import { and, asc, eq, ilike, inArray, type SQL, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { identities, identityCredentialIdentifiers } from "../../db/schema.ts";
import { badRequest } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";
import { loadIdentities } from "../../identity/repository.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import { isUuid } from "./input.ts";
import { adminIdentityWire, includeCredentialParam } from "./wire.ts";

const MAX_IDS = 500;

/** Escapes LIKE wildcards so a search for `a_b%` matches those characters literally. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

interface ListFilters {
  ids?: string[];
  organizationId?: string;
  identifier?: string;
  similar?: string;
}

/** Reads the filters of listIdentities; like Kratos, at most one of them per request. */
function parseFilters(c: Context): ListFilters {
  const f: ListFilters = {};
  let count = 0;
  const ids = (c.req.queries("ids") ?? []).filter((v) => v !== "");
  if (ids.length) {
    count++;
    if (ids.length > MAX_IDS) throw badRequest(`The number of ids to filter must not exceed ${MAX_IDS}.`);
    for (const v of ids) {
      if (!isUuid(v)) throw badRequest(`Invalid UUID value \`${v.slice(0, 64)}\` for parameter \`ids\`.`);
    }
    f.ids = [...new Set(ids.map((v) => v.toLowerCase()))];
  }
  const org = c.req.query("organization_id");
  if (org) {
    count++;
    if (!isUuid(org)) {
      throw badRequest(`Invalid UUID value \`${org.slice(0, 64)}\` for parameter \`organization_id\`.`);
    }
    f.organizationId = org.toLowerCase();
  }
  const identifier = c.req.query("credentials_identifier");
  if (identifier) {
    count++;
    f.identifier = normalizeIdentifier(identifier).slice(0, 1024);
  }
  const similar = c.req.query("preview_credentials_identifier_similar");
  if (similar) {
    count++;
    f.similar = normalizeIdentifier(similar).slice(0, 1024);
  }
  if (count > 1) throw badRequest("You cannot combine multiple filters in this API");
  return f;
}

function whereOf(ctx: AppContext, f: ListFilters): SQL | undefined {
  const where: SQL[] = [];
  if (f.ids) where.push(inArray(identities.id, f.ids));
  if (f.organizationId) where.push(eq(identities.organizationId, f.organizationId));
  const byIdentifier = (cond: SQL) =>
    inArray(
      identities.id,
      ctx.db
        .select({ id: identityCredentialIdentifiers.identityId })
        .from(identityCredentialIdentifiers)
        .where(cond),
    );
  if (f.identifier !== undefined)
    where.push(byIdentifier(eq(identityCredentialIdentifiers.identifier, f.identifier)));
  if (f.similar !== undefined) {
    where.push(byIdentifier(ilike(identityCredentialIdentifiers.identifier, `${escapeLike(f.similar)}%`)));
  }
  return where.length ? and(...where) : undefined;
}

/**
 * listIdentities: oldest first (created_at, id) so pages never shift while new identities arrive;
 * page_size/page_token with a Link header that keeps the filters. Legacy page/per_page also sets
 * X-Total-Count, as Kratos does.
 */
export async function listIdentities(c: Context, ctx: AppContext): Promise<Response> {
  const filters = parseFilters(c);
  const declassify = includeCredentialParam(c);
  const { size, offset } = pageParams(c);
  const where = whereOf(ctx, filters);
  const rows = await ctx.db
    .select({ id: identities.id })
    .from(identities)
    .where(where)
    .orderBy(asc(identities.createdAt), asc(identities.id))
    .limit(size + 1)
    .offset(offset);
  const page = rows.slice(0, size).map((r) => r.id);
  const full = await loadIdentities(ctx.db, page);

  const keep = new URLSearchParams();
  for (const id of filters.ids ?? []) keep.append("ids", id);
  for (const name of [
    "organization_id",
    "credentials_identifier",
    "preview_credentials_identifier_similar",
  ]) {
    const v = c.req.query(name);
    if (v) keep.set(name, v);
  }
  for (const t of declassify) keep.append("include_credential", t);
  const path = `${c.req.path.replace(/^\//, "")}${keep.size ? `?${keep}` : ""}`;
  setLinkHeader(c, ctx.rt.adminBaseUrl, path, size, offset, rows.length > size);
  if (c.req.query("page") !== undefined || c.req.query("per_page") !== undefined) {
    const [count] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(identities).where(where);
    c.header("X-Total-Count", String(count?.n ?? 0));
  }

  // Kratos expands credentials only when filtering by identifier or when asked to include some.
  const withCredentials =
    declassify.length > 0 || filters.identifier !== undefined || filters.similar !== undefined;
  return c.json(full.map((f) => adminIdentityWire(ctx, f, { credentials: withCredentials, declassify })));
}
