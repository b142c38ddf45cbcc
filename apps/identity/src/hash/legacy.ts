// Password hash formats that only arrive by import (Kratos' migration formats): they are verified
// once, at the user's first sign-in, and then replaced by a hash in the configured algorithm.
import { createCipheriv, createHash, createHmac, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import apacheMd5 from "apache-md5";
import { verify as shaCryptVerify } from "unixcrypt";

// apache-md5 is CommonJS (`module.exports = fn`) with ESM-style typings: the default import is the
// function at run time, typed as its module under NodeNext.
const md5Crypt = apacheMd5 as unknown as (password: string, salt: string) => string;

const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

const b64 = (s: string) => Buffer.from(s, "base64");
const eq = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** HMAC digests Kratos imports; md4 is listed by Kratos but absent from Node's OpenSSL 3. */
export const HMAC_ALGORITHMS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"] as const;

export const LEGACY_PREFIX =
  /^\$(md5-crypt|sha256-crypt|sha512-crypt|1|5|6|firescrypt|md5|hmac-(?:md4|md5|sha1|sha224|sha256|sha384|sha512))\$/;

/** unixcrypt runs sha-crypt on the main thread (20,000 SHA-512 rounds take ~55 ms): more would let sign-in attempts stall the core. */
export const MAX_SHA_CRYPT_ROUNDS = 20_000;

/** The crypt(3) string behind Kratos' `$md5-crypt$`, `$sha256-crypt$` and `$sha512-crypt$` prefixes. */
export function cryptForm(hash: string): string | undefined {
  const m = /^\$(md5-crypt|sha256-crypt|sha512-crypt|1|5|6)\$(.*)$/.exec(hash);
  if (!m) return undefined;
  const id = { "md5-crypt": "1", "sha256-crypt": "5", "sha512-crypt": "6" }[m[1]!] ?? m[1]!;
  return `$${id}$${m[2]}`;
}

/** `$1$salt$hash`, `$5$[rounds=N$]salt$hash`, `$6$[rounds=N$]salt$hash`, as crypt(3) writes them. */
export const CRYPT_SHAPE =
  /^\$(?:1\$[^$]{0,8}\$[./0-9A-Za-z]{22}|5\$(?:rounds=(\d{1,9})\$)?[^$]{0,16}\$[./0-9A-Za-z]{43}|6\$(?:rounds=(\d{1,9})\$)?[^$]{0,16}\$[./0-9A-Za-z]{86})$/;

/** `$firescrypt$ln=,r=,p=$salt$hash$salt_separator$signer_key` (Firebase's modified scrypt). */
export const FIRESCRYPT_SHAPE =
  /^\$firescrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]*)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]*)\$([A-Za-z0-9+/=]+)$/;

/** `$md5$hash` or `$md5$pf=<format>$salt$hash`, every part base64. */
export const MD5_SHAPE = /^\$md5\$(?:pf=([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]*)\$)?([A-Za-z0-9+/=]+)$/;

/** `$hmac-<digest>$<base64 of the hex MAC>$<base64 key>`. */
export const HMAC_SHAPE =
  /^\$hmac-(md4|md5|sha1|sha224|sha256|sha384|sha512)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]*)$/;

/** The UTF-8 bytes of `s` as a one-char-per-byte string (apache-md5 hashes strings byte by byte). */
const bytesOf = (s: string) => Buffer.from(s, "utf8").toString("latin1");

/** Verifies `password` against a legacy hash; undefined when `hash` is in none of these formats. */
export async function verifyLegacy(password: string, hash: string): Promise<boolean | undefined> {
  const crypt = cryptForm(hash);
  if (crypt !== undefined) {
    if (!CRYPT_SHAPE.test(crypt)) return false;
    if (crypt.startsWith("$1$")) {
      return eq(Buffer.from(md5Crypt(bytesOf(password), crypt)), Buffer.from(crypt));
    }
    return shaCryptVerify(password, crypt);
  }
  let m = FIRESCRYPT_SHAPE.exec(hash);
  if (m) {
    const [, ln, r, p, salt, expected, separator, signer] = m;
    const N = 2 ** Number(ln);
    const key = await scryptAsync(password, Buffer.concat([b64(salt!), b64(separator!)]), 32, {
      N,
      r: Number(r),
      p: Number(p),
      maxmem: 256 * N * Number(r) + 1024 * 1024,
    });
    // Firebase encrypts its project's signer key with AES-256-CTR under the derived key, IV zero.
    const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
    const out = Buffer.concat([cipher.update(b64(signer!)), cipher.final()]);
    return eq(out, b64(expected!));
  }
  m = MD5_SHAPE.exec(hash);
  if (m) {
    const [, pf, salt, digest] = m;
    const input =
      pf === undefined
        ? Buffer.from(password, "utf8")
        : Buffer.from(
            b64(pf)
              .toString("utf8")
              .replaceAll("{SALT}", b64(salt!).toString("utf8"))
              .replaceAll("{PASSWORD}", password),
            "utf8",
          );
    return eq(createHash("md5").update(input).digest(), b64(digest!));
  }
  m = HMAC_SHAPE.exec(hash);
  if (m) {
    const [, alg, mac, key] = m;
    if (!(HMAC_ALGORITHMS as readonly string[]).includes(alg!)) return false;
    const hex = createHmac(alg!, b64(key!)).update(password, "utf8").digest("hex");
    return eq(Buffer.from(hex), b64(mac!));
  }
  return LEGACY_PREFIX.test(hash) ? false : undefined;
}
