import { and, eq, inArray, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { AppContext } from "../app/context.ts";
import { urlJoin } from "../app/runtime.ts";
import type { DbOrTx } from "../db/client.ts";
import { isUniqueViolation } from "../db/errors.ts";
import { preparedQuery } from "../db/prepared.ts";
import { rowOf, rowsOf } from "../db/rows.ts";
import {
  identities,
  identityCredentialIdentifiers,
  identityCredentials,
  identityRecoveryAddresses,
  identityVerifiableAddresses,
} from "../db/schema.ts";
import { conflict } from "../errors/index.ts";
import { uuid } from "../security/random.ts";
import type { IdentitySchema } from "./schemas.ts";
import { syncCodeCredential } from "../selfservice/code/credential.ts";

export type IdentityRow = typeof identities.$inferSelect;
export type CredentialRow = typeof identityCredentials.$inferSelect;
export type VerifiableAddressRow = typeof identityVerifiableAddresses.$inferSelect;
export type RecoveryAddressRow = typeof identityRecoveryAddresses.$inferSelect;

/** An identity with everything that belongs to it. */
export interface FullIdentity {
  identity: IdentityRow;
  credentials: (CredentialRow & { identifiers: string[] })[];
  verifiable: VerifiableAddressRow[];
  recovery: RecoveryAddressRow[];
}

export interface CredentialInput {
  type: string;
  config: Record<string, unknown>;
  /** Identifiers for this credential; for password they come from the traits. */
  identifiers?: string[];
}

export interface NewIdentity {
  /** The id, when it was chosen before (a registration's web hooks saw it); a new one otherwise. */
  id?: string;
  schema: IdentitySchema;
  traits: Record<string, unknown>;
  state?: "active" | "inactive";
  metadataPublic?: unknown;
  metadataAdmin?: unknown;
  externalId?: string | null;
  credentials?: CredentialInput[];
  /** Addresses (by value) to mark verified at creation, e.g. admin imports with `verified: true`. */
  verifiedAddresses?: Set<string>;
}

/** Thrown (as a 409) when an identifier or external id is already taken. */
export const duplicateIdentifier = () => conflict("An identity with the same identifier already exists.");

async function insertCredentials(
  tx: DbOrTx,
  identityId: string,
  creds: CredentialInput[],
  passwordIdentifiers: string[],
  now: Date,
): Promise<void> {
  for (const cred of creds) {
    const credentialId = uuid();
    await tx.insert(identityCredentials).values({
      id: credentialId,
      identityId,
      type: cred.type,
      config: cred.config,
      createdAt: now,
      updatedAt: now,
    });
    const ids = cred.type === "password" ? passwordIdentifiers : (cred.identifiers ?? []);
    if (ids.length) {
      await tx.insert(identityCredentialIdentifiers).values(
        ids.map((identifier) => ({
          id: uuid(),
          credentialId,
          identityId,
          type: cred.type,
          identifier,
          createdAt: now,
        })),
      );
    }
  }
}

/** Creates an identity with its credentials and addresses; call inside a transaction. */
export async function createIdentity(tx: DbOrTx, ctx: AppContext, input: NewIdentity): Promise<string> {
  const id = input.id ?? uuid();
  const now = new Date();
  const extracted = ctx.schemas.extract(input.schema, input.traits);
  try {
    await tx.insert(identities).values({
      id,
      schemaId: input.schema.id,
      state: input.state ?? "active",
      stateChangedAt: now,
      traits: input.traits,
      metadataPublic: input.metadataPublic ?? null,
      metadataAdmin: input.metadataAdmin ?? null,
      externalId: input.externalId ?? null,
      createdAt: now,
      updatedAt: now,
    });
    await insertCredentials(tx, id, input.credentials ?? [], extracted.passwordIdentifiers, now);
    // The `code` credential follows the traits (Kratos' schema extension), unless one was given.
    if (!input.credentials?.some((c) => c.type === "code")) {
      await syncCodeCredential(tx, id, extracted.codeAddresses, now);
    }
    await syncAddresses(tx, id, extracted, now, input.verifiedAddresses);
  } catch (e) {
    if (isUniqueViolation(e)) throw duplicateIdentifier();
    throw e;
  }
  return id;
}

/** Brings verifiable and recovery addresses in line with the traits, keeping verification of unchanged ones. */
export async function syncAddresses(
  tx: DbOrTx,
  identityId: string,
  extracted: { verifiable: { via: string; value: string }[]; recovery: { via: string; value: string }[] },
  now: Date,
  verified?: Set<string>,
): Promise<void> {
  const existingV = await tx
    .select()
    .from(identityVerifiableAddresses)
    .where(eq(identityVerifiableAddresses.identityId, identityId));
  const wantV = new Map(extracted.verifiable.map((a) => [`${a.via}:${a.value}`, a]));
  const staleV = existingV.filter((a) => !wantV.has(`${a.via}:${a.value}`)).map((a) => a.id);
  if (staleV.length)
    await tx.delete(identityVerifiableAddresses).where(inArray(identityVerifiableAddresses.id, staleV));
  const haveV = new Set(existingV.map((a) => `${a.via}:${a.value}`));
  const newV = [...wantV.values()].filter((a) => !haveV.has(`${a.via}:${a.value}`));
  if (newV.length) {
    await tx.insert(identityVerifiableAddresses).values(
      newV.map((a) => {
        const isVerified = verified?.has(a.value) ?? false;
        return {
          id: uuid(),
          identityId,
          via: a.via,
          value: a.value,
          verified: isVerified,
          status: isVerified ? ("completed" as const) : ("pending" as const),
          verifiedAt: isVerified ? now : null,
          createdAt: now,
          updatedAt: now,
        };
      }),
    );
  }
  const existingR = await tx
    .select()
    .from(identityRecoveryAddresses)
    .where(eq(identityRecoveryAddresses.identityId, identityId));
  const wantR = new Map(extracted.recovery.map((a) => [`${a.via}:${a.value}`, a]));
  const staleR = existingR.filter((a) => !wantR.has(`${a.via}:${a.value}`)).map((a) => a.id);
  if (staleR.length)
    await tx.delete(identityRecoveryAddresses).where(inArray(identityRecoveryAddresses.id, staleR));
  const haveR = new Set(existingR.map((a) => `${a.via}:${a.value}`));
  const newR = [...wantR.values()].filter((a) => !haveR.has(`${a.via}:${a.value}`));
  if (newR.length) {
    await tx.insert(identityRecoveryAddresses).values(
      newR.map((a) => ({
        id: uuid(),
        identityId,
        via: a.via,
        value: a.value,
        createdAt: now,
        updatedAt: now,
      })),
    );
  }
}

/** Rewrites the password credential's identifiers after a traits change. */
export async function syncPasswordIdentifiers(
  tx: DbOrTx,
  identityId: string,
  identifiers: string[],
): Promise<void> {
  const [cred] = await tx
    .select()
    .from(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, "password")));
  if (!cred) return;
  await tx
    .delete(identityCredentialIdentifiers)
    .where(eq(identityCredentialIdentifiers.credentialId, cred.id));
  if (identifiers.length) {
    await tx.insert(identityCredentialIdentifiers).values(
      identifiers.map((identifier) => ({
        id: uuid(),
        credentialId: cred.id,
        identityId,
        type: "password",
        identifier,
      })),
    );
  }
}

/** Loads identities with credentials and addresses in four queries, whatever their number. */
export async function loadIdentities(db: DbOrTx, ids: string[]): Promise<FullIdentity[]> {
  if (!ids.length) return [];
  const [rows, creds, idents, verifiable, recovery] = await Promise.all([
    db.select().from(identities).where(inArray(identities.id, ids)),
    db.select().from(identityCredentials).where(inArray(identityCredentials.identityId, ids)),
    db
      .select()
      .from(identityCredentialIdentifiers)
      .where(inArray(identityCredentialIdentifiers.identityId, ids)),
    db.select().from(identityVerifiableAddresses).where(inArray(identityVerifiableAddresses.identityId, ids)),
    db.select().from(identityRecoveryAddresses).where(inArray(identityRecoveryAddresses.identityId, ids)),
  ]);
  return assemble(ids, rows, creds, idents, verifiable, recovery);
}

function assemble(
  ids: string[],
  rows: (typeof identities.$inferSelect)[],
  creds: (typeof identityCredentials.$inferSelect)[],
  idents: (typeof identityCredentialIdentifiers.$inferSelect)[],
  verifiable: (typeof identityVerifiableAddresses.$inferSelect)[],
  recovery: (typeof identityRecoveryAddresses.$inferSelect)[],
): FullIdentity[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids
    .filter((id) => byId.has(id))
    .map((id) => ({
      identity: byId.get(id)!,
      credentials: creds
        .filter((c) => c.identityId === id)
        .map((c) => ({
          ...c,
          identifiers: idents
            .filter((i) => i.credentialId === c.id)
            .map((i) => i.identifier)
            .sort(),
        })),
      verifiable: verifiable
        .filter((a) => a.identityId === id)
        .sort((a, b) => a.value.localeCompare(b.value)),
      recovery: recovery.filter((a) => a.identityId === id).sort((a, b) => a.value.localeCompare(b.value)),
    }));
}

// One identity (sessions, logins, flows): five prepared statements, run in parallel.
const oneIdentity = preparedQuery<{ id: string }, (typeof identities.$inferSelect)[]>(
  "identity_by_id",
  (db) =>
    db
      .select()
      .from(identities)
      .where(eq(identities.id, sql.placeholder("id"))),
);
const oneCredentials = preparedQuery<{ id: string }, (typeof identityCredentials.$inferSelect)[]>(
  "identity_credentials_of",
  (db) =>
    db
      .select()
      .from(identityCredentials)
      .where(eq(identityCredentials.identityId, sql.placeholder("id"))),
);
const oneIdentifiers = preparedQuery<{ id: string }, (typeof identityCredentialIdentifiers.$inferSelect)[]>(
  "identity_identifiers_of",
  (db) =>
    db
      .select()
      .from(identityCredentialIdentifiers)
      .where(eq(identityCredentialIdentifiers.identityId, sql.placeholder("id"))),
);
const oneVerifiable = preparedQuery<{ id: string }, (typeof identityVerifiableAddresses.$inferSelect)[]>(
  "identity_verifiable_of",
  (db) =>
    db
      .select()
      .from(identityVerifiableAddresses)
      .where(eq(identityVerifiableAddresses.identityId, sql.placeholder("id"))),
);
const oneRecovery = preparedQuery<{ id: string }, (typeof identityRecoveryAddresses.$inferSelect)[]>(
  "identity_recovery_of",
  (db) =>
    db
      .select()
      .from(identityRecoveryAddresses)
      .where(eq(identityRecoveryAddresses.identityId, sql.placeholder("id"))),
);

export async function loadIdentity(db: DbOrTx, id: string): Promise<FullIdentity | undefined> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  if (!isUuid) return undefined;
  const v = { id };
  const [rows, creds, idents, verifiable, recovery] = await Promise.all([
    oneIdentity(db, v),
    oneCredentials(db, v),
    oneIdentifiers(db, v),
    oneVerifiable(db, v),
    oneRecovery(db, v),
  ]);
  return assemble([id], rows, creds, idents, verifiable, recovery)[0];
}

/**
 * The identity owning a credential identifier, with everything that belongs to it, in one statement
 * (a sign-in reads it on every attempt): the identifier's credential id and the assembled identity.
 */
export async function loadIdentityByIdentifier(
  db: DbOrTx,
  type: string,
  identifier: string,
): Promise<{ credentialId: string; full: FullIdentity } | undefined> {
  const parts = (table: PgTable) =>
    sql`(select coalesce(jsonb_agg(to_jsonb(p)), '[]'::jsonb) from ${table} p where p.identity_id = i.id)`;
  const result = await db.execute(
    sql`select o.credential_id, to_jsonb(i) as identity, ${parts(identityCredentials)} as credentials, ${parts(identityCredentialIdentifiers)} as identifiers, ${parts(identityVerifiableAddresses)} as verifiable, ${parts(identityRecoveryAddresses)} as recovery from ${identityCredentialIdentifiers} o join ${identities} i on i.id = o.identity_id where o.type = ${type} and o.identifier = ${identifier} limit 1`,
  );
  const [row] = rowsOf<{
    credential_id: string;
    identity: Record<string, unknown>;
    credentials: Record<string, unknown>[];
    identifiers: Record<string, unknown>[];
    verifiable: Record<string, unknown>[];
    recovery: Record<string, unknown>[];
  }>(result);
  if (!row) return undefined;
  const identity = rowOf(identities, row.identity);
  const full = assemble(
    [identity.id],
    [identity],
    row.credentials.map((r) => rowOf(identityCredentials, r)),
    row.identifiers.map((r) => rowOf(identityCredentialIdentifiers, r)),
    row.verifiable.map((r) => rowOf(identityVerifiableAddresses, r)),
    row.recovery.map((r) => rowOf(identityRecoveryAddresses, r)),
  )[0];
  return full ? { credentialId: String(row.credential_id), full } : undefined;
}

const byIdentifier = preparedQuery<
  { type: string; identifier: string },
  { identityId: string; credentialId: string }[]
>("identity_by_identifier", (db) =>
  db
    .select({
      identityId: identityCredentialIdentifiers.identityId,
      credentialId: identityCredentialIdentifiers.credentialId,
    })
    .from(identityCredentialIdentifiers)
    .where(
      and(
        eq(identityCredentialIdentifiers.type, sql.placeholder("type")),
        eq(identityCredentialIdentifiers.identifier, sql.placeholder("identifier")),
      ),
    )
    .limit(1),
);

/** Finds the identity that owns a credential identifier (normalized). */
export async function findByIdentifier(
  db: DbOrTx,
  type: string,
  identifier: string,
): Promise<{ identityId: string; credentialId: string } | undefined> {
  return (await byIdentifier(db, { type, identifier }))[0];
}

export interface WireOptions {
  /** Include metadata_admin (admin API only). */
  admin?: boolean;
  /** Include the credentials map (admin API); types listed here also carry their config. */
  credentials?: boolean;
  includeConfigFor?: string[];
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

/** The Kratos Identity wire shape. */
export function identityToWire(
  ctx: AppContext,
  full: FullIdentity,
  opts: WireOptions = {},
): Record<string, unknown> {
  const { identity } = full;
  const out: Record<string, unknown> = {
    id: identity.id,
    schema_id: identity.schemaId,
    schema_url: urlJoin(
      ctx.rt.publicBaseUrl,
      `schemas/${Buffer.from(identity.schemaId).toString("base64url")}`,
    ),
    state: identity.state,
    state_changed_at: iso(identity.stateChangedAt),
    traits: identity.traits,
    verifiable_addresses: full.verifiable.map((a) => ({
      id: a.id,
      value: a.value,
      verified: a.verified,
      via: a.via,
      status: a.status,
      ...(a.verifiedAt ? { verified_at: a.verifiedAt.toISOString() } : {}),
      created_at: a.createdAt.toISOString(),
      updated_at: a.updatedAt.toISOString(),
    })),
    recovery_addresses: full.recovery.map((a) => ({
      id: a.id,
      value: a.value,
      via: a.via,
      created_at: a.createdAt.toISOString(),
      updated_at: a.updatedAt.toISOString(),
    })),
    metadata_public: identity.metadataPublic ?? null,
    created_at: identity.createdAt.toISOString(),
    updated_at: identity.updatedAt.toISOString(),
    organization_id: identity.organizationId ?? null,
  };
  if (opts.admin) {
    out.metadata_admin = identity.metadataAdmin ?? null;
    if (identity.externalId) out.external_id = identity.externalId;
  }
  if (opts.credentials) {
    const creds: Record<string, unknown> = {};
    for (const c of full.credentials) {
      creds[c.type] = {
        type: c.type,
        identifiers: c.identifiers,
        version: c.version,
        created_at: c.createdAt.toISOString(),
        updated_at: c.updatedAt.toISOString(),
        ...(opts.includeConfigFor?.includes(c.type) ? { config: c.config } : {}),
      };
    }
    out.credentials = creds;
  }
  return out;
}
