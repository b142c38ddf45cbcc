import type { AppContext } from "../../app/context.ts";
import { badRequest } from "../../errors/index.ts";
import { isSupportedHash } from "../../hash/hasher.ts";
import {
  CRYPT_SHAPE,
  cryptForm,
  FIRESCRYPT_SHAPE,
  HMAC_ALGORITHMS,
  HMAC_SHAPE,
  MAX_SHA_CRYPT_ROUNDS,
  MD5_SHAPE,
} from "../../hash/legacy.ts";

/** The `credentials.password.config` of an admin create or update body. */
export interface PasswordImport {
  password?: string | undefined;
  hashed_password?: string | undefined;
  use_password_migration_hook?: boolean | undefined;
}

// Upper bounds on imported hash parameters (the same ceilings Kratos enforces): a hash that asks
// for more work than this would let one import turn every later login into a denial of service.
const MAX_BCRYPT_COST = 15;
const MAX_ARGON2_MEMORY_KIB = 1 << 20;
const MAX_ARGON2_ITERATIONS = 10;
const MAX_ARGON2_PARALLELISM = 16;
const MAX_PBKDF2_ITERATIONS = 10_000_000;
const MAX_SCRYPT_N = 1 << 17;
const MAX_SCRYPT_R = 8;
const MAX_SCRYPT_P = 10;

const outOfBounds = (detail: string) =>
  badRequest(
    "The imported password hash declares cost parameters that exceed the bounds enforced by Ory. " +
      "Re-hash the password with a more conservative configuration before importing.",
    { details: { parameters: detail } },
  );
const unparsable = () => badRequest("The imported password hash could not be parsed.");

/** Checks the cost parameters of a supported hash; throws a 400 naming the offending one. */
export function checkImportedHash(hash: string): void {
  let m = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/.exec(hash);
  if (/^\$2[aby]\$/.test(hash)) {
    if (!m) throw unparsable();
    const cost = Number(m[1]);
    if (cost < 4 || cost > MAX_BCRYPT_COST)
      throw outOfBounds(`bcrypt cost=${cost} not in [4, ${MAX_BCRYPT_COST}]`);
    return;
  }
  if (hash.startsWith("$argon2")) {
    m = /^\$argon2id?\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/.exec(hash);
    if (!m) throw unparsable();
    const [mem, t, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mem < 1 || mem > MAX_ARGON2_MEMORY_KIB) throw outOfBounds(`argon2 m=${mem} KiB`);
    if (t < 1 || t > MAX_ARGON2_ITERATIONS) throw outOfBounds(`argon2 t=${t}`);
    if (p < 1 || p > MAX_ARGON2_PARALLELISM) throw outOfBounds(`argon2 p=${p}`);
    return;
  }
  if (hash.startsWith("$pbkdf2-")) {
    m = /^\$pbkdf2-sha(?:1|256|512)\$i=(\d+),l=(\d+)\$[^$]+\$[^$]+$/.exec(hash);
    if (!m) throw unparsable();
    const [i, l] = [Number(m[1]), Number(m[2])];
    if (i < 1 || i > MAX_PBKDF2_ITERATIONS) throw outOfBounds(`pbkdf2 i=${i}`);
    if (l < 1 || l > 1024) throw outOfBounds(`pbkdf2 l=${l}`);
    return;
  }
  if (hash.startsWith("$scrypt$")) {
    m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$[^$]+\$[^$]+$/.exec(hash);
    if (!m) throw unparsable();
    const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (ln < 1 || ln > 31 || 2 ** ln > MAX_SCRYPT_N) throw outOfBounds(`scrypt ln=${ln}`);
    if (r < 1 || r > MAX_SCRYPT_R) throw outOfBounds(`scrypt r=${r}`);
    if (p < 1 || p > MAX_SCRYPT_P) throw outOfBounds(`scrypt p=${p}`);
    return;
  }
  checkLegacyHash(hash);
}

/** Kratos' migration formats (crypt(3), Firebase scrypt, MD5, HMAC): shape and cost. */
function checkLegacyHash(hash: string): void {
  const crypt = cryptForm(hash);
  if (crypt !== undefined) {
    const m = CRYPT_SHAPE.exec(crypt);
    if (!m) throw unparsable();
    const rounds = Number(m[1] ?? m[2] ?? 5000);
    if (rounds > MAX_SHA_CRYPT_ROUNDS) {
      throw outOfBounds(`sha-crypt rounds=${rounds} above ${MAX_SHA_CRYPT_ROUNDS}`);
    }
    return;
  }
  if (hash.startsWith("$firescrypt$")) {
    const m = FIRESCRYPT_SHAPE.exec(hash);
    if (!m) throw unparsable();
    const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (ln < 1 || ln > 31 || 2 ** ln > MAX_SCRYPT_N) throw outOfBounds(`firescrypt ln=${ln}`);
    if (r < 1 || r > MAX_SCRYPT_R) throw outOfBounds(`firescrypt r=${r}`);
    if (p < 1 || p > MAX_SCRYPT_P) throw outOfBounds(`firescrypt p=${p}`);
    return;
  }
  if (hash.startsWith("$md5$")) {
    if (!MD5_SHAPE.test(hash)) throw unparsable();
    return;
  }
  if (hash.startsWith("$hmac-")) {
    const m = HMAC_SHAPE.exec(hash);
    if (!m) throw unparsable();
    if (!(HMAC_ALGORITHMS as readonly string[]).includes(m[1]!)) {
      throw badRequest(`The imported password hash uses hmac-${m[1]}, which this server cannot verify.`);
    }
  }
}

/**
 * Turns an imported password into the stored credential config. A cleartext password is hashed
 * without the password policy (imports must let users keep the password they had); a hash must be
 * in a format the comparator verifies, within sane cost bounds.
 */
export async function importPassword(
  ctx: AppContext,
  config: PasswordImport,
): Promise<{ hashed_password: string }> {
  if (config.use_password_migration_hook) {
    throw badRequest(
      "credentials.password.config.use_password_migration_hook: the password migration hook is not supported by this server.",
    );
  }
  const { password, hashed_password: hashed } = config;
  // As in Kratos, a cleartext password wins over a hash sent alongside it.
  if (password !== undefined && password !== "") {
    return { hashed_password: await ctx.hasher.hash(password) };
  }
  if (hashed === undefined || hashed === "") {
    throw badRequest("credentials.password.config: one of password or hashed_password is required.");
  }
  if (!isSupportedHash(hashed)) {
    throw badRequest("The imported password does not match any known hash format.");
  }
  checkImportedHash(hashed);
  return { hashed_password: hashed };
}
