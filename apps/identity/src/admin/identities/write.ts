import type { ErrorObject } from "ajv";
import { syncCodeCredential } from "../../selfservice/code/credential.ts";
import { and, eq, ne } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { Tx } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import {
  identities,
  identityCredentialIdentifiers,
  identityCredentials,
  identityVerifiableAddresses,
} from "../../db/schema.ts";
import { badRequest, conflict, notFound } from "../../errors/index.ts";
import {
  type CredentialInput,
  createIdentity,
  type FullIdentity,
  loadIdentity,
  syncAddresses,
  syncPasswordIdentifiers,
} from "../../identity/repository.ts";
import { type IdentitySchema, normalizeIdentifier } from "../../identity/schemas.ts";
import { uuid } from "../../security/random.ts";
import type { CreateIdentityBody, UpdateIdentityBody } from "./body.ts";
import { importPassword } from "./password-import.ts";

/** Kratos' wording for a unique violation on the admin API. */
export const identityConflict = () =>
  conflict("This identity conflicts with another identity that already exists.");

export const identityNotFound = () => notFound("Unable to locate the resource");

export function schemaOrThrow(ctx: AppContext, id: string): IdentitySchema {
  const schema = ctx.schemas.get(id);
  if (!schema) {
    throw badRequest(`Unable to find JSON Schema ID: ${id}`, {
      details: { available_schema_ids: ctx.schemas.list().map((s) => s.id) },
    });
  }
  return schema;
}

/** `traits.name.first`-style path of an ajv error, including the missing property of `required`. */
function propertyOf(err: ErrorObject): string {
  const parts = err.instancePath.split("/").filter(Boolean);
  if (err.keyword === "required") parts.push(String(err.params.missingProperty));
  if (err.keyword === "additionalProperties") parts.push(String(err.params.additionalProperty));
  return parts.join(".") || "traits";
}

/** The value an ajv error points at (ajv only carries it in verbose mode). */
function valueAt(root: unknown, instancePath: string): unknown {
  let cur = root;
  for (const raw of instancePath.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function describeSchemaError(err: ErrorObject, data: unknown): string {
  switch (err.keyword) {
    case "required":
      return `Property ${String(err.params.missingProperty)} is missing.`;
    case "format":
      return `"${String(data ?? "")}" is not valid "${String(err.params.format)}"`;
    case "additionalProperties":
      return `additionalProperties "${String(err.params.additionalProperty)}" not allowed`;
    case "type":
      return `expected ${String(err.params.type)}, but got ${Array.isArray(data) ? "array" : data === null ? "null" : typeof data}`;
    default:
      return err.message ?? "is invalid";
  }
}

/** Validates traits against the identity schema; a 400 naming the first offending property. */
export function validateTraits(
  ctx: AppContext,
  schema: IdentitySchema,
  traits: Record<string, unknown>,
): void {
  const errors = ctx.schemas.validate(schema, traits);
  if (!errors.length) return;
  const described = errors.map((e) => ({
    property: propertyOf(e),
    keyword: e.keyword,
    message: describeSchemaError(e, valueAt({ traits }, e.instancePath)),
  }));
  const first = described[0]!;
  throw badRequest(`${first.property}: ${first.message}`, { details: { errors: described.slice(0, 20) } });
}

const UNSUPPORTED_CREDENTIALS = ["oidc", "saml", "totp", "lookup_secret", "webauthn", "passkey"] as const;

/** Reads `credentials` of a body: the password credential's stored config, or a 400 for other types. */
async function importCredentials(
  ctx: AppContext,
  creds: CreateIdentityBody["credentials"],
): Promise<{ hashed_password: string } | undefined> {
  if (!creds) return undefined;
  for (const type of UNSUPPORTED_CREDENTIALS) {
    if (creds[type] !== undefined && creds[type] !== null) {
      throw badRequest(`credentials.${type}: importing ${type} credentials is not supported by this server.`);
    }
  }
  if (!creds.password) return undefined;
  const c = creds.password.config;
  return importPassword(ctx, {
    password: c.password ?? undefined,
    hashed_password: c.hashed_password ?? undefined,
    use_password_migration_hook: c.use_password_migration_hook ?? undefined,
  });
}

/** An identity to create, validated and with its password already hashed (never inside a transaction). */
export interface PreparedIdentity {
  schema: IdentitySchema;
  body: CreateIdentityBody;
  credentials: CredentialInput[];
  verified: Set<string>;
}

/** Everything that can fail without the database: schema, traits, credentials. */
export async function prepareCreate(ctx: AppContext, body: CreateIdentityBody): Promise<PreparedIdentity> {
  const schema = schemaOrThrow(ctx, body.schema_id);
  validateTraits(ctx, schema, body.traits);
  const password = await importCredentials(ctx, body.credentials);
  const verified = new Set(
    (body.verifiable_addresses ?? [])
      .filter((a) => a.verified === true)
      .map((a) => normalizeIdentifier(a.value)),
  );
  return {
    schema,
    body,
    credentials: password ? [{ type: "password", config: password }] : [],
    verified,
  };
}

/** Creates a prepared identity in one transaction; a taken identifier or external id is a 409. */
export async function insertPrepared(ctx: AppContext, p: PreparedIdentity): Promise<string> {
  const externalId = p.body.external_id || null;
  try {
    return await ctx.db.transaction(async (tx) => {
      const id = await createIdentity(tx, ctx, {
        schema: p.schema,
        traits: p.body.traits,
        state: p.body.state ?? "active",
        metadataPublic: p.body.metadata_public ?? null,
        metadataAdmin: p.body.metadata_admin ?? null,
        externalId,
        credentials: p.credentials,
        verifiedAddresses: p.verified,
      });
      if (p.body.organization_id) {
        await tx
          .update(identities)
          .set({ organizationId: p.body.organization_id })
          .where(eq(identities.id, id));
      }
      return id;
    });
  } catch (e) {
    if (isUniqueViolation(e) || (e as { code?: number }).code === 409) throw identityConflict();
    throw e;
  }
}

/** The full replacement of an identity (PUT, and PATCH after the patch is applied). */
export interface IdentityReplacement {
  schemaId: string;
  traits: Record<string, unknown>;
  state: "active" | "inactive";
  metadataPublic: unknown;
  metadataAdmin: unknown;
  externalId: string | null;
  /** A new password credential config; undefined keeps the current one. */
  password?: { hashed_password: string } | undefined;
  /** Verification flags per address value (PATCH of `verifiable_addresses`). */
  verifiedFlags?: Map<string, boolean> | undefined;
}

/** Builds a replacement from a PUT body: validated, password hashed. */
export async function prepareUpdate(
  ctx: AppContext,
  current: FullIdentity,
  body: UpdateIdentityBody,
): Promise<IdentityReplacement> {
  const schemaId = body.schema_id || current.identity.schemaId;
  const schema = schemaOrThrow(ctx, schemaId);
  validateTraits(ctx, schema, body.traits);
  return {
    schemaId,
    traits: body.traits,
    state: body.state,
    metadataPublic: body.metadata_public ?? null,
    metadataAdmin: body.metadata_admin ?? null,
    externalId: body.external_id || null,
    password: await importCredentials(ctx, body.credentials),
  };
}

async function setPasswordCredential(
  tx: Tx,
  identityId: string,
  config: { hashed_password: string },
  identifiers: string[],
  now: Date,
): Promise<void> {
  const [existing] = await tx
    .select({ id: identityCredentials.id, config: identityCredentials.config })
    .from(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, "password")));
  let credentialId: string;
  if (existing) {
    credentialId = existing.id;
    await tx
      .update(identityCredentials)
      .set({ config: { ...existing.config, ...config }, updatedAt: now })
      .where(eq(identityCredentials.id, existing.id));
  } else {
    credentialId = uuid();
    await tx.insert(identityCredentials).values({
      id: credentialId,
      identityId,
      type: "password",
      config,
      createdAt: now,
      updatedAt: now,
    });
  }
  await tx
    .delete(identityCredentialIdentifiers)
    .where(eq(identityCredentialIdentifiers.credentialId, credentialId));
  if (identifiers.length) {
    await tx.insert(identityCredentialIdentifiers).values(
      identifiers.map((identifier) => ({
        id: uuid(),
        credentialId,
        identityId,
        type: "password",
        identifier,
        createdAt: now,
      })),
    );
  }
}

async function applyVerifiedFlags(
  tx: Tx,
  identityId: string,
  flags: Map<string, boolean>,
  now: Date,
): Promise<void> {
  for (const [value, verified] of flags) {
    await tx
      .update(identityVerifiableAddresses)
      .set({
        verified,
        status: verified ? "completed" : "pending",
        verifiedAt: verified ? now : null,
        updatedAt: now,
      })
      .where(
        and(
          eq(identityVerifiableAddresses.identityId, identityId),
          eq(identityVerifiableAddresses.value, value),
          ne(identityVerifiableAddresses.verified, verified),
        ),
      );
  }
}

/**
 * Replaces an identity's traits, state and metadata in one transaction, keeping its credentials
 * (unless a new password is given) and the verification of addresses that did not change.
 */
export async function replaceIdentity(
  ctx: AppContext,
  current: FullIdentity,
  r: IdentityReplacement,
): Promise<FullIdentity> {
  const schema = schemaOrThrow(ctx, r.schemaId);
  const extracted = ctx.schemas.extract(schema, r.traits);
  const id = current.identity.id;
  try {
    await ctx.db.transaction(async (tx) => {
      const now = new Date();
      const [updated] = await tx
        .update(identities)
        .set({
          schemaId: r.schemaId,
          traits: r.traits,
          state: r.state,
          ...(r.state !== current.identity.state ? { stateChangedAt: now } : {}),
          metadataPublic: r.metadataPublic,
          metadataAdmin: r.metadataAdmin,
          externalId: r.externalId,
          updatedAt: now,
        })
        .where(eq(identities.id, id))
        .returning({ id: identities.id });
      // Deleted between our read and this write.
      if (!updated) throw identityNotFound();
      if (r.password) await setPasswordCredential(tx, id, r.password, extracted.passwordIdentifiers, now);
      else await syncPasswordIdentifiers(tx, id, extracted.passwordIdentifiers);
      const newlyVerified = new Set(
        [...(r.verifiedFlags ?? [])].filter(([, v]) => v).map(([value]) => value),
      );
      await syncAddresses(tx, id, extracted, now, newlyVerified);
      await syncCodeCredential(tx, id, extracted.codeAddresses, now);
      if (r.verifiedFlags?.size) await applyVerifiedFlags(tx, id, r.verifiedFlags, now);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw identityConflict();
    throw e;
  }
  const fresh = await loadIdentity(ctx.db, id);
  if (!fresh) throw identityNotFound();
  return fresh;
}
