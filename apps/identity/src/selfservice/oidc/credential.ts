import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/errors.ts";
import { identityCredentialIdentifiers, identityCredentials } from "../../db/schema.ts";
import { type FullIdentity, findByIdentifier } from "../../identity/repository.ts";
import { canEncrypt, decrypt, encrypt } from "../../security/crypto.ts";
import { uuid } from "../../security/random.ts";
import type { UpstreamTokens } from "./upstream.ts";

/*
 * The `oidc` credential in Kratos' shape: one row per identity, identifiers `<provider>:<subject>`
 * (the unique index makes one upstream account belong to at most one identity), and
 * `config.providers[]` with the upstream's first tokens — encrypted with `secrets.cipher` (AES-256-GCM,
 * bound to provider, subject and token kind) and decrypted only for `include_credential=oidc`.
 */

export interface OidcProviderEntry {
  subject: string;
  provider: string;
  initial_id_token: string;
  initial_access_token: string;
  initial_refresh_token: string;
  organization: string;
  use_auto_link: boolean;
}

type TokenKind = "id_token" | "access_token" | "refresh_token";

export const oidcIdentifier = (provider: string, subject: string) => `${provider}:${subject}`;

const aad = (provider: string, subject: string, kind: TokenKind) => `oidc:${provider}:${subject}:${kind}`;

function seal(ctx: AppContext, provider: string, subject: string, kind: TokenKind, value?: string): string {
  if (!value) return "";
  // Without secrets.cipher nothing may be stored in clear: the token is dropped (the config check warns).
  if (!canEncrypt(ctx)) return "";
  return encrypt(ctx, "oidc", value, aad(provider, subject, kind));
}

/** A provider entry for the credential, its tokens encrypted. */
export function providerEntry(
  ctx: AppContext,
  provider: string,
  subject: string,
  tokens: UpstreamTokens,
): OidcProviderEntry {
  return {
    subject,
    provider,
    initial_id_token: seal(ctx, provider, subject, "id_token", tokens.id_token),
    initial_access_token: seal(ctx, provider, subject, "access_token", tokens.access_token),
    initial_refresh_token: seal(ctx, provider, subject, "refresh_token", tokens.refresh_token),
    organization: "",
    use_auto_link: false,
  };
}

/** The identity that has linked this upstream account, if any. */
export async function findOidcOwner(db: DbOrTx, provider: string, subject: string) {
  return findByIdentifier(db, "oidc", oidcIdentifier(provider, subject));
}

function entriesOf(config: Record<string, unknown> | undefined): OidcProviderEntry[] {
  const list = config?.providers;
  return Array.isArray(list) ? (list as OidcProviderEntry[]) : [];
}

/** The providers an identity has linked. */
export function linkedProviders(full: FullIdentity): { provider: string; subject: string }[] {
  const cred = full.credentials.find((c) => c.type === "oidc");
  return entriesOf(cred?.config).map((e) => ({ provider: e.provider, subject: e.subject }));
}

/** Thrown when the upstream account is already linked to an identity. */
export class AlreadyLinked extends Error {
  override name = "AlreadyLinked";
}

/** Links an upstream account to an identity (creating its oidc credential when it has none). */
export async function addOidcProvider(
  tx: DbOrTx,
  identityId: string,
  entry: OidcProviderEntry,
): Promise<void> {
  const now = new Date();
  const [cred] = await tx
    .select()
    .from(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, "oidc")));
  let credentialId: string;
  try {
    if (!cred) {
      credentialId = uuid();
      await tx.insert(identityCredentials).values({
        id: credentialId,
        identityId,
        type: "oidc",
        config: { providers: [entry] },
        createdAt: now,
        updatedAt: now,
      });
    } else {
      credentialId = cred.id;
      const providers = entriesOf(cred.config).filter(
        (e) => !(e.provider === entry.provider && e.subject === entry.subject),
      );
      await tx
        .update(identityCredentials)
        .set({ config: { ...cred.config, providers: [...providers, entry] }, updatedAt: now })
        .where(eq(identityCredentials.id, cred.id));
    }
    await tx.insert(identityCredentialIdentifiers).values({
      id: uuid(),
      credentialId,
      identityId,
      type: "oidc",
      identifier: oidcIdentifier(entry.provider, entry.subject),
      createdAt: now,
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AlreadyLinked("This account is already linked to an identity.");
    throw e;
  }
}

/** Unlinks every account of a provider from an identity; the credential goes when none is left. */
export async function removeOidcProvider(tx: DbOrTx, identityId: string, provider: string): Promise<boolean> {
  return removeOidcEntries(tx, identityId, (e) => e.provider === provider);
}

/**
 * Removes one link, named as Kratos' admin API names it (`identifier` = `provider:subject`, as the
 * credential's identifiers list it); the credential goes when it was the last. False when no link
 * has that identifier.
 */
export async function removeOidcLink(tx: DbOrTx, identityId: string, identifier: string): Promise<boolean> {
  return removeOidcEntries(tx, identityId, (e) => oidcIdentifier(e.provider, e.subject) === identifier);
}

async function removeOidcEntries(
  tx: DbOrTx,
  identityId: string,
  matches: (e: OidcProviderEntry) => boolean,
): Promise<boolean> {
  const [cred] = await tx
    .select()
    .from(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, "oidc")));
  if (!cred) return false;
  const all = entriesOf(cred.config);
  const gone = all.filter(matches);
  if (!gone.length) return false;
  const keep = all.filter((e) => !matches(e));
  for (const e of gone) {
    await tx
      .delete(identityCredentialIdentifiers)
      .where(
        and(
          eq(identityCredentialIdentifiers.credentialId, cred.id),
          eq(identityCredentialIdentifiers.identifier, oidcIdentifier(e.provider, e.subject)),
        ),
      );
  }
  if (keep.length) {
    await tx
      .update(identityCredentials)
      .set({ config: { ...cred.config, providers: keep }, updatedAt: new Date() })
      .where(eq(identityCredentials.id, cred.id));
  } else {
    await tx.delete(identityCredentials).where(eq(identityCredentials.id, cred.id));
  }
  return true;
}

function open(ctx: AppContext, e: OidcProviderEntry, kind: TokenKind, stored: string): string {
  if (!stored) return "";
  try {
    return decrypt(ctx, "oidc", stored, aad(e.provider, e.subject, kind));
  } catch {
    // Rotated away or tampered with: shown empty rather than failing the whole identity.
    return "";
  }
}

/** The credential config with its tokens decrypted, for `include_credential=oidc` (as Kratos answers). */
export function declassifyOidcConfig(
  ctx: AppContext,
  config: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...config,
    providers: entriesOf(config).map((e) => ({
      ...e,
      initial_id_token: open(ctx, e, "id_token", e.initial_id_token),
      initial_access_token: open(ctx, e, "access_token", e.initial_access_token),
      initial_refresh_token: open(ctx, e, "refresh_token", e.initial_refresh_token),
    })),
  };
}

/**
 * How many ways into the account would remain without the given provider: a password, another linked
 * provider, a passkey or passwordless WebAuthn key. Unlinking must never leave none.
 */
export function waysInWithout(full: FullIdentity, provider: string): number {
  let n = 0;
  for (const c of full.credentials) {
    if (c.type === "password" && typeof c.config.hashed_password === "string" && c.config.hashed_password)
      n++;
    else if (c.type === "oidc") n += entriesOf(c.config).filter((e) => e.provider !== provider).length;
    else if (c.type === "passkey" && c.identifiers.length) n++;
    else if (c.type === "webauthn" && c.config.user_handle && c.identifiers.length) n++;
  }
  return n;
}
