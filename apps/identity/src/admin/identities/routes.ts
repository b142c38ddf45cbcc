import { eq } from "drizzle-orm";
import { deleteIdentityIn } from "../../identity/erasure.ts";
import type { Context, Hono } from "hono";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import { identities, identityCredentials } from "../../db/schema.ts";
import { badRequest, OryError } from "../../errors/index.ts";
import { type FullIdentity, loadIdentity } from "../../identity/repository.ts";
import { batchPatchBody, createIdentityBody, jsonPatch, updateIdentityBody } from "./body.ts";
import { isUuid, parseWith, readJson } from "./input.ts";
import { listIdentities } from "./list.ts";
import { patchToReplacement } from "./patch.ts";
import { searchIdentities } from "./search.ts";
import { registerAdminSendEmailRoutes } from "./send-email.ts";
import { auditIdentityChange } from "./change-audit.ts";
import { auditRoleChange } from "./role-audit.ts";
import { removeWebAuthnByAdmin } from "../../selfservice/webauthn/admin.ts";
import { removeOidcLink } from "../../selfservice/oidc/credential.ts";
import { setAuditDetail } from "../../audit/admin-audit.ts";
import { adminIdentityWire, includeCredentialParam } from "./wire.ts";
import { identityNotFound, insertPrepared, prepareCreate, prepareUpdate, replaceIdentity } from "./write.ts";

/** Kratos' limits for `PATCH /admin/identities`: items per request, and items hashing a cleartext password. */
export const BATCH_LIMIT = 2000;
export const BATCH_PLAINTEXT_LIMIT = 200;

/** Credential types that can sign an identity in on their own (first factors). */
const FIRST_FACTORS = new Set(["password", "oidc", "saml", "passkey", "code"]);

/** Identities are looked up like Kratos' x.ParseUUID: anything that is not a UUID is simply not found. */
async function requireIdentity(ctx: AppContext, id: string): Promise<FullIdentity> {
  const full = isUuid(id) ? await loadIdentity(ctx.db, id.toLowerCase()) : undefined;
  if (!full) throw identityNotFound();
  return full;
}

async function create(c: Context, ctx: AppContext): Promise<Response> {
  const body = parseWith(createIdentityBody, await readJson(c));
  const prepared = await prepareCreate(ctx, body);
  const id = await insertPrepared(ctx, prepared);
  const full = (await loadIdentity(ctx.db, id))!;
  await auditRoleChange(ctx, c, id, null, full.identity.metadataAdmin);
  c.header("Location", urlJoin(ctx.rt.adminBaseUrl, `admin/identities/${id}`));
  return c.json(adminIdentityWire(ctx, full), 201);
}

type BatchItem = { create?: unknown; patch_id?: string | null | undefined };

const itemError = (e: unknown, patchId: object): Record<string, unknown> => {
  if (e instanceof OryError) return { action: "error", ...patchId, error: e.toBody().error };
  throw e;
};

/**
 * One item of a batch, in its own transaction so a bad item never takes the others down. Items are
 * validated and their passwords hashed concurrently (the hasher bounds the parallelism); inserts
 * then run in order, so of two items with the same identifier the first one wins.
 */
async function createBatch(ctx: AppContext, items: BatchItem[]): Promise<Record<string, unknown>[]> {
  const prepared = await Promise.all(
    items.map(async (item) => {
      try {
        if (item.create === undefined || item.create === null) throw badRequest("create: is required");
        return { ok: await prepareCreate(ctx, parseWith(createIdentityBody, item.create)) };
      } catch (e) {
        return { failed: e };
      }
    }),
  );
  const results: Record<string, unknown>[] = [];
  for (const [i, item] of items.entries()) {
    const patchId = item.patch_id ? { patch_id: item.patch_id } : {};
    const p = prepared[i]!;
    if (!("ok" in p)) {
      results.push(itemError(p.failed, patchId));
      continue;
    }
    try {
      results.push({ action: "create", identity: await insertPrepared(ctx, p.ok!), ...patchId });
    } catch (e) {
      results.push(itemError(e, patchId));
    }
  }
  return results;
}

async function batch(c: Context, ctx: AppContext): Promise<Response> {
  const body = parseWith(batchPatchBody, await readJson(c));
  if (body.identities.length > BATCH_LIMIT) {
    throw badRequest(
      `The maximum number of identities per request that can be created or deleted at once is ${BATCH_LIMIT}.`,
    );
  }
  const plaintext = body.identities.filter((i) => {
    const pw = (i.create as { credentials?: { password?: { config?: { password?: unknown } } } } | null)
      ?.credentials?.password?.config?.password;
    return typeof pw === "string" && pw !== "";
  }).length;
  if (plaintext > BATCH_PLAINTEXT_LIMIT) {
    throw badRequest(
      `The maximum number of identities per request that can be created with a plaintext password is ${BATCH_PLAINTEXT_LIMIT}.`,
    );
  }
  return c.json({ identities: await createBatch(ctx, body.identities) });
}

async function update(c: Context, ctx: AppContext): Promise<Response> {
  const current = await requireIdentity(ctx, c.req.param("id")!);
  const body = parseWith(updateIdentityBody, await readJson(c));
  const replacement = await prepareUpdate(ctx, current, body);
  const updated = await replaceIdentity(ctx, current, replacement);
  await auditRoleChange(
    ctx,
    c,
    current.identity.id,
    current.identity.metadataAdmin,
    updated.identity.metadataAdmin,
  );
  await auditIdentityChange(ctx, c, current, updated);
  return c.json(adminIdentityWire(ctx, updated));
}

async function patch(c: Context, ctx: AppContext): Promise<Response> {
  const current = await requireIdentity(ctx, c.req.param("id")!);
  const ops = parseWith(jsonPatch, await readJson(c));
  const replacement = patchToReplacement(ctx, current, ops);
  const updated = await replaceIdentity(ctx, current, replacement);
  await auditRoleChange(
    ctx,
    c,
    current.identity.id,
    current.identity.metadataAdmin,
    updated.identity.metadataAdmin,
  );
  await auditIdentityChange(ctx, c, current, updated);
  return c.json(adminIdentityWire(ctx, updated));
}

/** Deletes an identity and everything about it (see deleteIdentityIn); its OAuth2 login sessions end after commit. */
async function remove(c: Context, ctx: AppContext): Promise<Response> {
  const raw = c.req.param("id")!;
  if (!isUuid(raw)) throw identityNotFound();
  const id = raw.toLowerCase();
  const sessionIds = await ctx.db.transaction(async (tx) => {
    const ended = await deleteIdentityIn(tx, ctx, id);
    if (!ended) throw identityNotFound();
    return ended;
  });
  for (const sid of sessionIds) await ctx.hydra.sessionEnded(sid);
  ctx.log.info("identity deleted by an administrator", { identity_id: id });
  return c.body(null, 204);
}

/** deleteIdentityCredentials: second factors go; the last first factor (the password, here) stays. */
async function removeCredential(c: Context, ctx: AppContext): Promise<Response> {
  const full = await requireIdentity(ctx, c.req.param("id")!);
  const type = c.req.param("type")!;
  const cred = full.credentials.find((cr) => cr.type === type);
  if (!cred) {
    const t = type.slice(0, 64);
    throw new OryError(404, "The requested resource could not be found", {
      reason: `You tried to remove a ${t} but this user have no ${t} set up.`,
    });
  }
  const firstFactors = full.credentials.filter((cr) => FIRST_FACTORS.has(cr.type)).length;
  if (type === "passkey" || type === "webauthn") {
    // One key (`identifier` = its hex id, as settings name it) or all of them; audited either way.
    await removeWebAuthnByAdmin(ctx, c, full, type, c.req.query("identifier"), firstFactors);
    return c.body(null, 204);
  }
  if (type === "oidc") {
    await removeOidcLinkByAdmin(ctx, c, full.identity.id, c.req.query("identifier"));
    return c.body(null, 204);
  }
  if (["password", "saml"].includes(type)) {
    if (firstFactors < 2) throw badRequest("You cannot remove the last first factor credential.");
  } else if (!["totp", "lookup_secret"].includes(type)) {
    throw badRequest(`Credentials type ${type} cannot be deleted.`);
  }
  await ctx.db.delete(identityCredentials).where(eq(identityCredentials.id, cred.id));
  return c.body(null, 204);
}

/**
 * Kratos' oidc case: `identifier` (`provider:subject`, from the credential's identifiers) names the
 * one link to remove, and is required. As in Kratos an administrator may remove the last link, even
 * when it is the identity's only way in: it then signs in again after recovering its account.
 */
async function removeOidcLinkByAdmin(
  ctx: AppContext,
  c: Context,
  identityId: string,
  identifier: string | undefined,
): Promise<void> {
  if (!identifier) throw badRequest("You must provide an identifier to delete this credential.");
  const removed = await ctx.db.transaction((tx) => removeOidcLink(tx, identityId, identifier.slice(0, 1024)));
  if (!removed) {
    throw new OryError(404, "The requested resource could not be found", {
      reason: `The identifier \`${identifier.slice(0, 64)}\` was not found among OIDC credentials.`,
    });
  }
  const at = identifier.indexOf(":");
  setAuditDetail(c, { provider: identifier.slice(0, at), subject: identifier.slice(at + 1, 256) });
}

export function registerAdminIdentityRoutes(admin: Hono, ctx: AppContext): void {
  admin.get("/identities", (c) => listIdentities(c, ctx));
  admin.get("/olympus/identities/search", (c) => searchIdentities(c, ctx));
  registerAdminSendEmailRoutes(admin, ctx);
  admin.post("/identities", (c) => create(c, ctx));
  admin.patch("/identities", (c) => batch(c, ctx));
  admin.get("/identities/by/external/:externalID", async (c) => {
    const externalId = c.req.param("externalID");
    if (!externalId) throw badRequest("The external ID must not be empty.");
    const declassify = includeCredentialParam(c);
    const [row] = await ctx.db
      .select({ id: identities.id })
      .from(identities)
      .where(eq(identities.externalId, externalId))
      .limit(1);
    const full = row ? await loadIdentity(ctx.db, row.id) : undefined;
    if (!full) throw identityNotFound();
    return c.json(adminIdentityWire(ctx, full, { declassify }));
  });
  admin.get("/identities/:id", async (c) => {
    const declassify = includeCredentialParam(c);
    const full = await requireIdentity(ctx, c.req.param("id"));
    return c.json(adminIdentityWire(ctx, full, { declassify }));
  });
  admin.put("/identities/:id", (c) => update(c, ctx));
  admin.patch("/identities/:id", (c) => patch(c, ctx));
  admin.delete("/identities/:id", (c) => remove(c, ctx));
  admin.delete("/identities/:id/credentials/:type", (c) => removeCredential(c, ctx));
}
