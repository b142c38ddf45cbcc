import { createHash, pbkdf2, scrypt, timingSafeEqual } from "node:crypto";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import { hash as argonHash, verify as argonVerify } from "@node-rs/argon2";

/** @node-rs/argon2's Algorithm.Argon2id (a const enum, unusable under verbatimModuleSyntax). */
const ARGON2ID = 2;
import { compare as bcryptCompare, hash as bcryptHash } from "@node-rs/bcrypt";
import type { Config } from "../config/index.ts";
import { LEGACY_PREFIX, verifyLegacy } from "./legacy.ts";

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/** A counting semaphore: at most `limit` hashes hold their memory at once. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

function b64(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

function eq(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Formats Kratos can import and verify; anything else is rejected on import. */
export function isSupportedHash(hash: string): boolean {
  return (
    /^(\$2[aby]\$\d{2}\$|\$argon2id?\$|\$pbkdf2-sha(1|256|512)\$|\$scrypt\$|\{SSHA(256|512)?\}|\$sha(1|256|512)\$)/.test(
      hash,
    ) || LEGACY_PREFIX.test(hash)
  );
}

/** Password hashing: argon2id (or bcrypt) for new hashes, every importable format verified. */
export class Hasher {
  private readonly sem: Semaphore;
  private readonly argon: Config["hashers"]["argon2"];
  private readonly bcryptCost: number;
  private readonly algorithm: Config["hashers"]["algorithm"];
  /** A hash of a random password: unknown identifiers verify against it so they cost the same. */
  private dummy: Promise<string> | undefined;

  constructor(config: Config["hashers"]) {
    this.argon = config.argon2;
    this.bcryptCost = config.bcrypt.cost;
    this.algorithm = config.algorithm;
    this.sem = new Semaphore(config.argon2.max_concurrency ?? Math.max(1, availableParallelism()));
  }

  hash(password: string): Promise<string> {
    return this.sem.run(() =>
      this.algorithm === "bcrypt"
        ? bcryptHash(password, { cost: this.bcryptCost })
        : argonHash(password, {
            algorithm: ARGON2ID,
            memoryCost: this.argon.memory,
            timeCost: this.argon.iterations,
            parallelism: this.argon.parallelism,
            outputLen: this.argon.key_length,
          }),
    );
  }

  /** Verifies a password against any supported hash format; false for unknown formats. */
  verify(password: string, hash: string): Promise<boolean> {
    return this.sem.run(async () => {
      try {
        return await verifyAny(password, hash);
      } catch {
        return false;
      }
    });
  }

  /** Spends the same work as a real verification, for identifiers that do not exist. */
  async burn(password: string): Promise<void> {
    this.dummy ??= this.hash(`dummy-${Math.random()}`);
    await this.verify(password, await this.dummy);
  }

  /** True when a stored hash is not in the configured algorithm and parameters. */
  needsRehash(hash: string): boolean {
    if (this.algorithm === "bcrypt") return !hash.startsWith("$2");
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash);
    return (
      !m ||
      Number(m[1]) !== this.argon.memory ||
      Number(m[2]) !== this.argon.iterations ||
      Number(m[3]) !== this.argon.parallelism
    );
  }
}

async function verifyAny(password: string, hash: string): Promise<boolean> {
  if (/^\$2[aby]\$/.test(hash)) {
    if (Buffer.byteLength(password) > 72) return false;
    return bcryptCompare(password, hash);
  }
  if (hash.startsWith("$argon2")) return argonVerify(hash, password);
  let m = /^\$pbkdf2-(sha1|sha256|sha512)\$i=(\d+),l=(\d+)\$([^$]+)\$([^$]+)$/.exec(hash);
  if (m) {
    const [, alg, iter, len, salt, key] = m;
    const out = await pbkdf2Async(password, b64(salt!), Number(iter), Number(len), alg!);
    return eq(out, b64(key!));
  }
  m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([^$]+)\$([^$]+)$/.exec(hash);
  if (m) {
    const [, ln, r, p, salt, key] = m;
    const expected = b64(key!);
    const N = 2 ** Number(ln);
    const out = await scryptAsync(password, b64(salt!), expected.length, {
      N,
      r: Number(r),
      p: Number(p),
      maxmem: 256 * N * Number(r) + 1024 * 1024,
    });
    return eq(out, expected);
  }
  m = /^\{SSHA(256|512)?\}(.+)$/.exec(hash);
  if (m) {
    const alg = m[1] ? `sha${m[1]}` : "sha1";
    const size = alg === "sha1" ? 20 : alg === "sha256" ? 32 : 64;
    const raw = Buffer.from(m[2]!, "base64");
    const digest = raw.subarray(0, size);
    const salt = raw.subarray(size);
    const out = createHash(alg).update(password).update(salt).digest();
    return eq(out, digest);
  }
  m = /^\$(sha1|sha256|sha512)\$pf=([^$]+)\$([^$]*)\$([^$]+)$/.exec(hash);
  if (m) {
    const [, alg, pfB64, salt, digest] = m;
    const pf = Buffer.from(pfB64!, "base64").toString("utf8");
    const input = pf
      .replace("{SALT}", Buffer.from(salt!, "base64").toString("utf8"))
      .replace("{PASSWORD}", password);
    return eq(createHash(alg!).update(input).digest(), Buffer.from(digest!, "base64"));
  }
  return (await verifyLegacy(password, hash)) ?? false;
}
