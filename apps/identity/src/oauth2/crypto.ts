import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { CompactEncrypt, compactDecrypt } from "jose";

/*
 * Every OAuth2 secret is derived from `secrets.cipher` with HKDF-SHA256 and a purpose label, so one
 * configured secret never serves two purposes. The first cipher secret seals and signs; every listed
 * secret still opens and verifies (rotation: prepend a new one, keep the old one for a while).
 */

type Purpose = "flow" | "jwk" | "token" | "client-secret" | "cookie" | "dpop-nonce";

interface DerivedKey {
  kid: string;
  key: Buffer;
}

function derive(secret: string, purpose: Purpose): DerivedKey {
  const key = Buffer.from(hkdfSync("sha256", secret, "olympus-oauth2", `olympus-oauth2-${purpose}`, 32));
  return { kid: createHash("sha256").update(key).digest("hex").slice(0, 8), key };
}

export interface OAuth2Keys {
  flow: DerivedKey[];
  jwk: DerivedKey[];
  token: DerivedKey[];
  clientSecret: DerivedKey[];
  cookie: DerivedKey[];
  dpopNonce: DerivedKey[];
}

/** Derives the OAuth2 keys from the cipher secrets (the first one is current). */
export function deriveKeys(secrets: string[]): OAuth2Keys {
  const all = (p: Purpose) => secrets.map((s) => derive(s, p));
  return {
    flow: all("flow"),
    jwk: all("jwk"),
    token: all("token"),
    clientSecret: all("client-secret"),
    cookie: all("cookie"),
    dpopNonce: all("dpop-nonce"),
  };
}

/** A random secret for processes started without `secrets.cipher` (nothing survives a restart then). */
export function ephemeralSecret(): string {
  return randomBytes(24).toString("base64url");
}

export function b64url(buf: Buffer | Uint8Array): string {
  return Buffer.from(buf).toString("base64url");
}

export function hmac(key: DerivedKey, data: string): string {
  return createHmac("sha256", key.key).update(data).digest("base64url");
}

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** True when `mac` is the HMAC of `data` under any of the keys. */
export function verifyHmac(keys: DerivedKey[], data: string, mac: string): boolean {
  let ok = false;
  for (const k of keys) ok = safeEqual(hmac(k, data), mac) || ok;
  return ok;
}

/**
 * Seals a payload as a compact JWE (dir + A256GCM, deflated JSON). The purpose is inside the
 * ciphertext, so a login challenge can never be replayed as a consent verifier, and vice versa.
 */
export async function seal(keys: DerivedKey[], purpose: string, payload: object): Promise<string> {
  const current = keys[0]!;
  const plaintext = deflateRawSync(Buffer.from(JSON.stringify({ ...payload, _p: purpose })));
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid: current.kid })
    .encrypt(current.key);
}

/** Opens a sealed payload of the given purpose; undefined when it is not one of ours or was tampered with. */
export async function unseal<T>(keys: DerivedKey[], purpose: string, token: string): Promise<T | undefined> {
  if (!token || token.length > 16_384) return undefined;
  for (const k of keys) {
    try {
      const { plaintext } = await compactDecrypt(token, k.key, {
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: ["A256GCM"],
      });
      const parsed = JSON.parse(inflateRawSync(plaintext, { maxOutputLength: 1 << 20 }).toString("utf8"));
      if (parsed?._p !== purpose) return undefined;
      delete parsed._p;
      return parsed as T;
    } catch {
      // Try the next key.
    }
  }
  return undefined;
}

/** AES-256-GCM for data at rest: `v1:<kid>:<base64url(iv ‖ ciphertext ‖ tag)>`, bound to `aad`. */
export function encryptAtRest(keys: DerivedKey[], aad: string, plaintext: string): string {
  const k = keys[0]!;
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", k.key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `v1:${k.kid}:${b64url(Buffer.concat([iv, ct, cipher.getAuthTag()]))}`;
}

/** Opens `encryptAtRest` output; undefined when no configured key opens it. */
export function decryptAtRest(keys: DerivedKey[], aad: string, sealed: string): string | undefined {
  const [version, kid, data] = sealed.split(":");
  if (version !== "v1" || !kid || !data) return undefined;
  const raw = Buffer.from(data, "base64url");
  if (raw.length < 28) return undefined;
  for (const k of keys.filter((key) => key.kid === kid)) {
    try {
      const decipher = createDecipheriv("aes-256-gcm", k.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      // Wrong key or tampered data.
    }
  }
  return undefined;
}

export function sha256b64url(data: string): string {
  return createHash("sha256").update(data).digest("base64url");
}
