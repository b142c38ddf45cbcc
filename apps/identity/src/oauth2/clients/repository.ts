import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { preparedQuery } from "../../db/prepared.ts";
import { oauth2Clients } from "../../db/schema.ts";
import { cachePerDatabase } from "../../db/table-cache.ts";
import { decryptAtRest, encryptAtRest, hmac, verifyHmac } from "../crypto.ts";
import type { OAuth2 } from "../runtime.ts";
import { activePreviousSecret, type ClientData, type ClientRecord } from "./model.ts";

type Row = typeof oauth2Clients.$inferSelect;

function toRecord(row: Row): ClientRecord {
  return { ...row, data: row.data as unknown as ClientData };
}

/** HMAC-SHA256 under a server key: client secrets are random, so a slow hash buys nothing (ory/hydra#1477). */
export function hashClientSecret(o2: OAuth2, secret: string): string {
  return hmac(o2.keys.clientSecret[0]!, secret);
}

/** The encrypted form of a client_secret_jwt client's secret, bound to the client id. */
export function sealClientSecret(o2: OAuth2, clientId: string, secret: string): string {
  return encryptAtRest(o2.keys.clientSecret, `oauth2_clients/${clientId}`, secret);
}

/** The secret of a client_secret_jwt client (its HMAC key); undefined when none is stored or it can not be opened. */
export function openClientSecret(o2: OAuth2, client: ClientRecord): string | undefined {
  if (!client.secretSealed) return undefined;
  return decryptAtRest(o2.keys.clientSecret, `oauth2_clients/${client.id}`, client.secretSealed);
}

/** The secret a rotation replaced, while its overlap lasts (client_secret_jwt clients: their old HMAC key). */
export function openPreviousClientSecret(o2: OAuth2, client: ClientRecord): string | undefined {
  const previous = activePreviousSecret(client.data);
  if (!previous?.sealed) return undefined;
  return decryptAtRest(o2.keys.clientSecret, `oauth2_clients/${client.id}`, previous.sealed);
}

/**
 * Constant-time check of a presented secret against the stored hash, under every configured key;
 * during a rotation's overlap the previous secret passes too.
 */
export function verifyClientSecret(o2: OAuth2, client: ClientRecord, secret: string): boolean {
  if (!client.secretHash) return false;
  const current = verifyHmac(o2.keys.clientSecret, secret, client.secretHash);
  const previous = activePreviousSecret(client.data);
  // Both are checked whatever the first gave, so the time taken does not tell which one matched.
  const old = previous ? verifyHmac(o2.keys.clientSecret, secret, previous.hash) : false;
  return current || old;
}

const clientById = preparedQuery<{ id: string }, Row[]>("oauth2_client_by_id", (db) =>
  db
    .select()
    .from(oauth2Clients)
    .where(eq(oauth2Clients.id, sql.placeholder("id")))
    .limit(1),
);

/** The client as stored now (admin reads and read-modify-writes). */
export async function findClient(db: DbOrTx, id: string | undefined): Promise<ClientRecord | undefined> {
  if (!id || id.length > 255) return undefined;
  const [row] = await clientById(db, { id });
  return row ? toRecord(row) : undefined;
}

/**
 * Clients as the token and authorize endpoints see them: cached, and cleared by any change to a client
 * in this or any other replica (db/changes.ts), so a rotated secret or a deleted client holds at once.
 */
const clientCache = cachePerDatabase<ClientRecord>({
  tables: ["oauth2_clients"],
  ignoreInserts: ["oauth2_clients"],
});

export async function findClientCached(
  db: DbOrTx,
  id: string | undefined,
): Promise<ClientRecord | undefined> {
  if (!id || id.length > 255) return undefined;
  const cache = clientCache(db);
  return cache ? cache.through(id, () => findClient(db, id)) : findClient(db, id);
}

export async function listClients(
  db: DbOrTx,
  filter: { clientName?: string; owner?: string },
  page: { size: number; offset: number },
): Promise<ClientRecord[]> {
  const where: SQL[] = [];
  if (filter.clientName) where.push(eq(oauth2Clients.clientName, filter.clientName));
  if (filter.owner) where.push(eq(oauth2Clients.owner, filter.owner));
  const rows = await db
    .select()
    .from(oauth2Clients)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(oauth2Clients.createdAt), asc(oauth2Clients.id))
    .limit(page.size + 1)
    .offset(page.offset);
  return rows.map(toRecord);
}

export async function insertClient(
  db: DbOrTx,
  input: {
    id: string;
    secretHash: string | null;
    secretSealed: string | null;
    clientName: string;
    owner: string;
    data: ClientData;
  },
): Promise<ClientRecord> {
  const now = new Date();
  const [row] = await db
    .insert(oauth2Clients)
    .values({
      ...input,
      data: input.data as unknown as Record<string, unknown>,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  return toRecord(row!);
}

export async function updateClient(
  db: DbOrTx,
  id: string,
  input: {
    secretHash: string | null;
    secretSealed: string | null;
    clientName: string;
    owner: string;
    data: ClientData;
  },
): Promise<ClientRecord | undefined> {
  const [row] = await db
    .update(oauth2Clients)
    .set({ ...input, data: input.data as unknown as Record<string, unknown>, updatedAt: new Date() })
    .where(eq(oauth2Clients.id, id))
    .returning();
  return row ? toRecord(row) : undefined;
}

export async function deleteClient(db: DbOrTx, id: string): Promise<boolean> {
  const rows = await db
    .delete(oauth2Clients)
    .where(eq(oauth2Clients.id, id))
    .returning({ id: oauth2Clients.id });
  return rows.length > 0;
}
