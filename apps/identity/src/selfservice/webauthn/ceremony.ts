import { randomBytes } from "node:crypto";
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { selfserviceFlows } from "../../db/schema.ts";
import {
  b64url,
  fromB64,
  keyIdUrl,
  type StoredWebAuthnKey,
  storedKey,
  toVerifierCredential,
  type WebAuthnMethod,
} from "./credentials.ts";

/*
 * The two WebAuthn ceremonies, verified with @simplewebauthn/server. A ceremony's challenge is kept in
 * the flow's data (`passkey_ceremony` / `webauthn_ceremony`) and taken out again by one atomic
 * UPDATE before anything is verified: a challenge answers once, only for the flow that issued it, and
 * only within its time-out. Origins and RP id come from the method's `config.rp`; user verification
 * is required for passkeys (they are a whole login on their own) and for passwordless security keys.
 */

/** How long a ceremony's challenge is good for (also the browser's time-out hint). */
export const CEREMONY_TIMEOUT_MS = 5 * 60_000;
/** The largest WebAuthn response accepted (a real one is a few kilobytes). */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/** The relying party of a method: configured values, else the public base URL's host and origin. */
export function relyingParty(ctx: AppContext, method: WebAuthnMethod): RelyingParty {
  const rp = ctx.config.selfservice.methods[method].config.rp;
  const base = new URL(ctx.rt.publicBaseUrl);
  const origins = rp.origins?.length ? rp.origins : rp.origin ? [rp.origin] : [base.origin];
  return {
    id: rp.id ?? base.hostname,
    name: rp.display_name,
    origins: origins.map((o) => new URL(o).origin),
  };
}

export interface CeremonyState {
  challenge: string;
  kind: "create" | "get";
  expires_at: string;
  /** create: the user handle the new credential is bound to (base64). */
  user_handle?: string;
  /** get with allowCredentials: the identity the ceremony was issued for. */
  identity_id?: string;
}

export const ceremonyKey = (method: WebAuthnMethod) => `${method}_ceremony`;

/** Stores a ceremony in the flow (replacing an earlier one) and in the in-memory row. */
export async function saveCeremony(
  db: DbOrTx,
  flow: { id: string; data: Record<string, unknown> },
  method: WebAuthnMethod,
  state: CeremonyState,
): Promise<void> {
  const key = ceremonyKey(method);
  await db
    .update(selfserviceFlows)
    .set({
      data: sql`jsonb_set(${selfserviceFlows.data}, ${sql.raw(`'{${key}}'`)}, ${JSON.stringify(state)}::jsonb, true)`,
      updatedAt: new Date(),
    })
    .where(eq(selfserviceFlows.id, flow.id));
  flow.data = { ...flow.data, [key]: state };
}

/**
 * Takes the flow's ceremony out if its challenge is `challenge` (what the client signed): exactly one
 * caller gets it, every later (or concurrent) one gets undefined.
 */
export async function consumeCeremony(
  db: DbOrTx,
  flow: { id: string; data: Record<string, unknown> },
  method: WebAuthnMethod,
  challenge: string,
): Promise<CeremonyState | undefined> {
  const key = ceremonyKey(method);
  const stored = flow.data[key] as CeremonyState | undefined;
  const { [key]: _taken, ...rest } = flow.data;
  flow.data = rest;
  if (!stored || typeof challenge !== "string" || challenge.length > 512) return undefined;
  const taken = await db
    .update(selfserviceFlows)
    .set({ data: sql`${selfserviceFlows.data} - ${key}`, updatedAt: new Date() })
    .where(
      and(
        eq(selfserviceFlows.id, flow.id),
        sql`${selfserviceFlows.data} -> ${key} ->> 'challenge' = ${challenge}`,
      ),
    )
    .returning({ id: selfserviceFlows.id });
  if (taken.length !== 1) return undefined;
  if (new Date(stored.expires_at).getTime() <= Date.now()) return undefined;
  return stored;
}

const expiry = () => new Date(Date.now() + CEREMONY_TIMEOUT_MS).toISOString();

export type CreationOptions = { publicKey: PublicKeyCredentialCreationOptionsJSON };
export type RequestOptions = { publicKey: PublicKeyCredentialRequestOptionsJSON };

const newChallenge = () => randomBytes(32).toString("base64url");

const transportsOf = (k: StoredWebAuthnKey) =>
  k.transports?.length ? { transports: k.transports as AuthenticatorTransportFuture[] } : {};

/**
 * Options for navigator.credentials.create(), and the ceremony to store with them. Built here (not by
 * the library, whose builders are asynchronous) so strategies can add them to a flow synchronously.
 */
export function registrationOptions(
  ctx: AppContext,
  method: WebAuthnMethod,
  input: {
    userHandle: string;
    userName: string;
    userDisplayName?: string;
    exclude: StoredWebAuthnKey[];
    /** Discoverable credential with user verification (passkeys, passwordless security keys). */
    discoverable: boolean;
  },
): { options: CreationOptions; state: CeremonyState } {
  const rp = relyingParty(ctx, method);
  const challenge = newChallenge();
  const publicKey: PublicKeyCredentialCreationOptionsJSON = {
    challenge,
    rp: { name: rp.name, id: rp.id },
    user: {
      id: b64url(fromB64(input.userHandle)),
      name: input.userName,
      displayName: input.userDisplayName ?? input.userName,
    },
    // ES256, RS256, EdDSA: what authenticators use and the verifier supports.
    pubKeyCredParams: [-7, -257, -8].map((alg) => ({ alg, type: "public-key" as const })),
    timeout: CEREMONY_TIMEOUT_MS,
    attestation: "none",
    excludeCredentials: input.exclude.map((k) => ({
      id: keyIdUrl(k),
      type: "public-key",
      ...transportsOf(k),
    })),
    authenticatorSelection: input.discoverable
      ? { residentKey: "required", requireResidentKey: true, userVerification: "required" }
      : { residentKey: "discouraged", requireResidentKey: false, userVerification: "preferred" },
    extensions: { credProps: true },
  };
  return {
    options: { publicKey },
    state: { challenge, kind: "create", expires_at: expiry(), user_handle: input.userHandle },
  };
}

/** Options for navigator.credentials.get(): discoverable (no allow list) or for one identity's keys. */
export function authenticationOptions(
  ctx: AppContext,
  method: WebAuthnMethod,
  input: { allow?: StoredWebAuthnKey[]; identityId?: string; userVerification: "required" | "preferred" },
): { options: RequestOptions; state: CeremonyState } {
  const rp = relyingParty(ctx, method);
  const challenge = newChallenge();
  const publicKey: PublicKeyCredentialRequestOptionsJSON = {
    challenge,
    rpId: rp.id,
    timeout: CEREMONY_TIMEOUT_MS,
    userVerification: input.userVerification,
    ...(input.allow
      ? {
          allowCredentials: input.allow.map((k) => ({
            id: keyIdUrl(k),
            type: "public-key",
            ...transportsOf(k),
          })),
        }
      : {}),
  };
  return {
    options: { publicKey },
    state: {
      challenge,
      kind: "get",
      expires_at: expiry(),
      ...(input.identityId ? { identity_id: input.identityId } : {}),
    },
  };
}

const b64urlString = z
  .string()
  .min(1)
  .max(MAX_RESPONSE_BYTES)
  .regex(/^[A-Za-z0-9_-]*={0,2}$/, "expected base64url");

const registrationSchema = z.object({
  id: b64urlString,
  rawId: b64urlString,
  type: z.literal("public-key"),
  response: z.object({
    attestationObject: b64urlString,
    clientDataJSON: b64urlString,
    transports: z.array(z.string().max(32)).max(8).optional(),
  }),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
});

const authenticationSchema = z.object({
  id: b64urlString,
  rawId: b64urlString,
  type: z.literal("public-key"),
  response: z.object({
    authenticatorData: b64urlString,
    clientDataJSON: b64urlString,
    signature: b64urlString,
    userHandle: z
      .string()
      .max(1024)
      .regex(/^[A-Za-z0-9_-]*={0,2}$/)
      .nullish(),
  }),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
});

export type CeremonyFailure =
  /** Not a WebAuthn response at all (malformed JSON, wrong shape). */
  | "malformed"
  /** No live challenge of this flow matches (never issued, already used, expired, other flow). */
  | "challenge"
  /** No stored key matches the credential (or its user handle). */
  | "unknown_key"
  /** The signature, origin, RP id, user verification or counter did not verify. */
  | "rejected";

export type Parsed<T> = { ok: true; value: T; challenge: string } | { ok: false; failure: CeremonyFailure };

function challengeOf(clientDataJSON: string): string | undefined {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as unknown;
    const ch = (data as { challenge?: unknown })?.challenge;
    return typeof ch === "string" ? ch : undefined;
  } catch {
    return undefined;
  }
}

function parse<T extends z.ZodType>(schema: T, raw: unknown): Parsed<z.infer<T>> {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_RESPONSE_BYTES) {
    return { ok: false, failure: "malformed" };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, failure: "malformed" };
  }
  const res = schema.safeParse(json);
  if (!res.success) return { ok: false, failure: "malformed" };
  const challenge = challengeOf(
    (res.data as { response: { clientDataJSON: string } }).response.clientDataJSON,
  );
  if (!challenge) return { ok: false, failure: "malformed" };
  return { ok: true, value: res.data, challenge };
}

export const parseRegistration = (raw: unknown) => parse(registrationSchema, raw);
export const parseAuthentication = (raw: unknown) => parse(authenticationSchema, raw);

export type RegistrationResult =
  | { ok: true; key: StoredWebAuthnKey; userHandle: string }
  | { ok: false; failure: CeremonyFailure; detail?: string };

/**
 * Verifies a navigator.credentials.create() answer against the flow's ceremony (consuming it) and
 * returns the key to store.
 */
export async function finishRegistration(
  ctx: AppContext,
  flow: { id: string; data: Record<string, unknown> },
  method: WebAuthnMethod,
  raw: unknown,
  input: { displayName: string; passwordless: boolean },
): Promise<RegistrationResult> {
  const parsed = parseRegistration(raw);
  if (!parsed.ok) return parsed;
  const state = await consumeCeremony(ctx.db, flow, method, parsed.challenge);
  if (state?.kind !== "create" || !state.user_handle) return { ok: false, failure: "challenge" };
  const rp = relyingParty(ctx, method);
  try {
    const res = await verifyRegistrationResponse({
      response: {
        ...parsed.value,
        clientExtensionResults: parsed.value.clientExtensionResults ?? {},
      } as RegistrationResponseJSON,
      expectedChallenge: state.challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      requireUserPresence: true,
      requireUserVerification: input.passwordless,
    });
    if (!res.verified) return { ok: false, failure: "rejected" };
    const info = res.registrationInfo;
    return {
      ok: true,
      userHandle: state.user_handle,
      key: storedKey({
        credential: info.credential,
        aaguid: info.aaguid,
        attestationType: info.fmt,
        displayName: input.displayName,
        passwordless: input.passwordless,
        userVerified: info.userVerified,
        backupEligible: info.credentialDeviceType === "multiDevice",
        backedUp: info.credentialBackedUp,
      }),
    };
  } catch (err) {
    return { ok: false, failure: "rejected", detail: (err as Error).message };
  }
}

export interface KeyOwner {
  identityId: string;
  key: StoredWebAuthnKey;
}

export type AuthenticationResult =
  | { ok: true; owner: KeyOwner; newCounter: number; userVerified: boolean; backedUp: boolean }
  | { ok: false; failure: CeremonyFailure; detail?: string; identityId?: string };

/**
 * Verifies a navigator.credentials.get() answer against the flow's ceremony (consuming it). `findKey`
 * resolves the credential (id, and the user handle the authenticator returned) to its stored key.
 */
export async function finishAuthentication(
  ctx: AppContext,
  flow: { id: string; data: Record<string, unknown> },
  method: WebAuthnMethod,
  raw: unknown,
  input: {
    requireUserVerification: boolean;
    findKey: (credentialId: string, userHandle: string | undefined) => Promise<KeyOwner | undefined>;
  },
): Promise<AuthenticationResult> {
  const parsed = parseAuthentication(raw);
  if (!parsed.ok) return parsed;
  const state = await consumeCeremony(ctx.db, flow, method, parsed.challenge);
  if (state?.kind !== "get") return { ok: false, failure: "challenge" };
  const response = parsed.value;
  const owner = await input.findKey(response.id, response.response.userHandle ?? undefined);
  if (!owner || (state.identity_id && owner.identityId !== state.identity_id)) {
    return { ok: false, failure: "unknown_key" };
  }
  const rp = relyingParty(ctx, method);
  try {
    const res = await verifyAuthenticationResponse({
      response: {
        ...response,
        response: { ...response.response, userHandle: response.response.userHandle ?? undefined },
        clientExtensionResults: response.clientExtensionResults ?? {},
      } as AuthenticationResponseJSON,
      expectedChallenge: state.challenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.id,
      credential: toVerifierCredential(owner.key),
      requireUserVerification: input.requireUserVerification,
    });
    if (!res.verified) return { ok: false, failure: "rejected", identityId: owner.identityId };
    return {
      ok: true,
      owner,
      newCounter: res.authenticationInfo.newCounter,
      userVerified: res.authenticationInfo.userVerified,
      backedUp: res.authenticationInfo.credentialBackedUp,
    };
  } catch (err) {
    return { ok: false, failure: "rejected", detail: (err as Error).message, identityId: owner.identityId };
  }
}
