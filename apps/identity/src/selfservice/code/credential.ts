import { and, eq } from "drizzle-orm";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { identityCredentialIdentifiers, identityCredentials } from "../../db/schema.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { uuid } from "../../security/random.ts";

/**
 * The `code` credential, in Kratos' shape: `identifiers` are the addresses a code may be sent to
 * (traits marked `credentials.code.identifier` in the identity schema) and `config` is
 * `{"addresses": [{"channel": "email" | "sms", "address": …}]}`. It follows the traits: created with
 * the identity, rewritten when the traits change (self-service settings, admin updates).
 */
export interface CodeAddress {
  channel: "email" | "sms";
  address: string;
}

export function codeConfig(addresses: CodeAddress[]): Record<string, unknown> {
  return { addresses: addresses.map((a) => ({ channel: a.channel, address: a.address })) };
}

/** Spaces, dots, dashes and brackets of a phone number go; a leading + stays. */
export function normalizePhone(value: string): string {
  return value.replace(/[\s().-]/g, "");
}

/** Reads a login identifier the way code addresses are stored (a phone number without its formatting). */
export function normalizeCodeIdentifier(value: string): string {
  const v = value.normalize("NFKC").trim().toLowerCase();
  return /^\+?[0-9][0-9\s().-]{3,}$/.test(v) ? normalizePhone(v) : v;
}

/** The identity's code addresses (its `code` credential's). */
export function codeAddresses(identity: FullIdentity): CodeAddress[] {
  const cred = identity.credentials.find((c) => c.type === "code");
  const list = (cred?.config as { addresses?: unknown } | undefined)?.addresses;
  if (!Array.isArray(list)) return [];
  return list.flatMap((a) => {
    const { channel, address } = (a ?? {}) as Record<string, unknown>;
    return (channel === "email" || channel === "sms") && typeof address === "string" && address
      ? [{ channel, address } as CodeAddress]
      : [];
  });
}

/**
 * Where a second-factor code may go: the identity's code addresses that are verified (an address
 * nobody has proven to own is no second factor).
 */
export function secondFactorAddresses(identity: FullIdentity): CodeAddress[] {
  const verified = new Set(identity.verifiable.filter((a) => a.verified).map((a) => a.value));
  return codeAddresses(identity).filter((a) => verified.has(a.address));
}

/** Brings the identity's `code` credential in line with its traits (creates, rewrites or removes it). */
export async function syncCodeCredential(
  tx: DbOrTx,
  identityId: string,
  addresses: CodeAddress[],
  now = new Date(),
): Promise<void> {
  const [cred] = await tx
    .select()
    .from(identityCredentials)
    .where(and(eq(identityCredentials.identityId, identityId), eq(identityCredentials.type, "code")));
  if (!addresses.length) {
    if (cred) await tx.delete(identityCredentials).where(eq(identityCredentials.id, cred.id));
    return;
  }
  let credentialId = cred?.id;
  if (!credentialId) {
    credentialId = uuid();
    await tx.insert(identityCredentials).values({
      id: credentialId,
      identityId,
      type: "code",
      config: codeConfig(addresses),
      createdAt: now,
      updatedAt: now,
    });
  } else {
    await tx
      .update(identityCredentials)
      .set({ config: codeConfig(addresses), updatedAt: now })
      .where(eq(identityCredentials.id, credentialId));
    await tx
      .delete(identityCredentialIdentifiers)
      .where(eq(identityCredentialIdentifiers.credentialId, credentialId));
  }
  await tx.insert(identityCredentialIdentifiers).values(
    [...new Set(addresses.map((a) => a.address))].map((identifier) => ({
      id: uuid(),
      credentialId: credentialId!,
      identityId,
      type: "code",
      identifier,
      createdAt: now,
    })),
  );
}

/** Whether the method is on for first-factor sign-in and sign-up, and as a second factor. */
export const passwordlessEnabled = (ctx: AppContext) =>
  ctx.config.selfservice.methods.code.enabled && ctx.config.selfservice.methods.code.passwordless_enabled;
export const codeMfaEnabled = (ctx: AppContext) =>
  ctx.config.selfservice.methods.code.enabled && ctx.config.selfservice.methods.code.mfa_enabled;
