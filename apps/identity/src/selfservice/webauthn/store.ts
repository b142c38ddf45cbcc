import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { identityCredentialIdentifiers, identityCredentials } from "../../db/schema.ts";
import { findByIdentifier } from "../../identity/repository.ts";
import { uuid } from "../../security/random.ts";
import {
  fromB64url,
  keyIdHex,
  keyIdUrl,
  MAX_KEYS_PER_IDENTITY,
  readConfig,
  type StoredWebAuthnKey,
  userHandleIdentifier,
  type WebAuthnConfig,
  type WebAuthnMethod,
} from "./credentials.ts";
import type { KeyOwner } from "./ceremony.ts";

/*
 * Reading and writing WebAuthn keys in identity_credentials. Every write is a compare-and-set on the
 * row's `version`, so two ceremonies finishing at once cannot lose a key or roll a counter back.
 */

async function credentialRow(db: DbOrTx, identityId: string, method: WebAuthnMethod) {
  const [row] = await db
    .select()
    .from(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, method)))
    .limit(1);
  return row;
}

async function casConfig(
  db: DbOrTx,
  row: { id: string; version: number },
  config: WebAuthnConfig,
): Promise<boolean> {
  const updated = await db
    .update(identityCredentials)
    .set({
      config: config as unknown as Record<string, unknown>,
      version: row.version + 1,
      updatedAt: new Date(),
    })
    .where(and(eq(identityCredentials.id, row.id), eq(identityCredentials.version, row.version)))
    .returning({ id: identityCredentials.id });
  return updated.length === 1;
}

/** The user handle an identity's new keys are bound to (kept across keys, as Kratos does). */
export async function userHandleOf(
  db: DbOrTx,
  identityId: string,
  method: WebAuthnMethod,
): Promise<string | undefined> {
  const row = await credentialRow(db, identityId, method);
  return row ? readConfig(row.config).user_handle : undefined;
}

/** Finds the owner of a passkey from the user handle the authenticator returned (identifier-less). */
export async function findPasskeyOwner(
  db: DbOrTx,
  credentialId: string,
  userHandle: string | undefined,
): Promise<KeyOwner | undefined> {
  if (!userHandle) return undefined;
  const handle = Buffer.from(fromB64url(userHandle)).toString("base64url");
  const owner = await findByIdentifier(db, "passkey", handle);
  if (!owner) return undefined;
  return findKeyOf(db, owner.identityId, "passkey", credentialId);
}

/** One identity's key with this credential id (base64url), or undefined. */
export async function findKeyOf(
  db: DbOrTx,
  identityId: string,
  method: WebAuthnMethod,
  credentialId: string,
): Promise<KeyOwner | undefined> {
  const row = await credentialRow(db, identityId, method);
  if (!row) return undefined;
  const want = Buffer.from(fromB64url(credentialId)).toString("base64url");
  const key = readConfig(row.config).credentials.find((k) => keyIdUrl(k) === want);
  return key ? { identityId, key } : undefined;
}

export type AddResult = "added" | "duplicate" | "too_many";

/**
 * Adds a verified key to an identity's credential of that method (creating the credential with its
 * identifier when it is the first). A passkey credential's identifier is its user handle.
 */
export async function addKey(
  db: DbOrTx,
  identityId: string,
  method: WebAuthnMethod,
  userHandle: string,
  key: StoredWebAuthnKey,
): Promise<AddResult> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await credentialRow(db, identityId, method);
    if (!row) {
      const now = new Date();
      const id = uuid();
      const config: WebAuthnConfig = { user_handle: userHandle, credentials: [key] };
      const inserted = await db
        .insert(identityCredentials)
        .values({ id, identityId, type: method, config: config as never, createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning({ id: identityCredentials.id });
      if (!inserted.length) continue;
      await db.insert(identityCredentialIdentifiers).values({
        id: uuid(),
        credentialId: id,
        identityId,
        type: method,
        identifier: method === "passkey" ? userHandleIdentifier(userHandle) : identityId,
        createdAt: now,
      });
      return "added";
    }
    const cfg = readConfig(row.config);
    if (cfg.credentials.some((k) => k.id === key.id)) return "duplicate";
    if (cfg.credentials.length >= MAX_KEYS_PER_IDENTITY) return "too_many";
    if (await casConfig(db, row, { ...cfg, credentials: [...cfg.credentials, key] })) return "added";
  }
  return "duplicate";
}

/**
 * Records a successful assertion: the new signature counter and the time of use. False when the
 * stored counter moved past `newCounter` meanwhile (a cloned or replayed authenticator).
 */
export async function recordUse(
  db: DbOrTx,
  identityId: string,
  method: WebAuthnMethod,
  keyId: string,
  newCounter: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await credentialRow(db, identityId, method);
    if (!row) return false;
    const cfg = readConfig(row.config);
    const key = cfg.credentials.find((k) => k.id === keyId);
    if (!key) return false;
    const old = key.authenticator.sign_count;
    if ((old > 0 || newCounter > 0) && newCounter <= old) return false;
    const next: StoredWebAuthnKey = {
      ...key,
      authenticator: { ...key.authenticator, sign_count: newCounter },
      last_used_at: new Date().toISOString(),
    };
    const credentials = cfg.credentials.map((k) => (k.id === keyId ? next : k));
    if (await casConfig(db, row, { ...cfg, credentials })) return true;
  }
  return false;
}

/**
 * Removes one key (by its hex id, as settings nodes carry it); the credential row goes with its last
 * key. Returns the removed key, or undefined when there is no such key.
 */
export async function removeKey(
  db: DbOrTx,
  identityId: string,
  method: WebAuthnMethod,
  hexId: string,
): Promise<StoredWebAuthnKey | undefined> {
  if (!/^[0-9a-f]{2,2048}$/i.test(hexId)) return undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await credentialRow(db, identityId, method);
    if (!row) return undefined;
    const cfg = readConfig(row.config);
    const key = cfg.credentials.find((k) => keyIdHex(k) === hexId.toLowerCase());
    if (!key) return undefined;
    const rest = cfg.credentials.filter((k) => k !== key);
    if (rest.length === 0) {
      const deleted = await db
        .delete(identityCredentials)
        .where(and(eq(identityCredentials.id, row.id), eq(identityCredentials.version, row.version)))
        .returning({ id: identityCredentials.id });
      if (deleted.length) return key;
      continue;
    }
    if (await casConfig(db, row, { ...cfg, credentials: rest })) return key;
  }
  return undefined;
}
