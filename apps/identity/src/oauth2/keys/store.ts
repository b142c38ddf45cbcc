import { and, asc, desc, eq, gt, isNotNull, isNull, or } from "drizzle-orm";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { oauth2Jwks } from "../../db/schema.ts";
import { uuid } from "../../security/random.ts";
import { decryptAtRest, encryptAtRest } from "../crypto.ts";
import type { OAuth2 } from "../runtime.ts";

/** Hydra's key set names: ID tokens are signed with the first, JWT access tokens with the second. */
export const ID_TOKEN_SET = "hydra.openid.id-token";
export const ACCESS_TOKEN_SET = "hydra.jwt.access-token";
const PUBLISHED_SETS = [ID_TOKEN_SET, ACCESS_TOKEN_SET];

export const SIGNING_ALGS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

type Row = typeof oauth2Jwks.$inferSelect;

export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey;
}

export class KeyError extends Error {
  override name = "KeyError";
}

/** Strips private members: what may be published or returned by the admin API. */
export function publicPart(jwk: JWK): JWK {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(jwk)) if (!PRIVATE_MEMBERS.includes(k)) out[k] = v;
  return out as JWK;
}

/**
 * JSON Web Keys, stored per set; private keys are encrypted at rest. Signing uses the newest private
 * signing key of a set. Creating a key in a set retires the older signing keys: they stay published
 * until every token they signed has expired, then the janitor deletes them.
 */
export class KeyStore {
  private readonly imported = new Map<string, CryptoKey>();
  private current = new Map<string, { key: SigningKey; at: number }>();

  constructor(private readonly o2: OAuth2) {}

  /** How long a retired key stays published: the longest lifetime of a token it may have signed. */
  retention(): number {
    const ttl = this.o2.cfg.ttl;
    return Math.max(ttl.id_token, ttl.access_token);
  }

  private aad(set: string, kid: string): string {
    return `oauth2_jwks/${set}/${kid}`;
  }

  /** Makes sure both Hydra key sets have a signing key (first start). */
  async ensure(): Promise<void> {
    for (const set of PUBLISHED_SETS) await this.signingKey(set);
  }

  private async insert(
    set: string,
    jwk: JWK,
    privateJwk: JWK | undefined,
    retireOthers: boolean,
  ): Promise<Row> {
    const now = new Date();
    const kid = jwk.kid!;
    return this.o2.ctx.db.transaction(async (tx) => {
      if (retireOthers) {
        await tx
          .update(oauth2Jwks)
          .set({ retiredAt: now })
          .where(and(eq(oauth2Jwks.setId, set), eq(oauth2Jwks.use, "sig"), isNull(oauth2Jwks.retiredAt)));
      }
      const [row] = await tx
        .insert(oauth2Jwks)
        .values({
          id: uuid(),
          setId: set,
          kid,
          alg: jwk.alg ?? "",
          use: jwk.use ?? "sig",
          publicJwk: publicPart(jwk) as Record<string, unknown>,
          privateJwk: privateJwk
            ? encryptAtRest(this.o2.keys.jwk, this.aad(set, kid), JSON.stringify(privateJwk))
            : null,
          createdAt: now,
        })
        .onConflictDoUpdate({
          target: [oauth2Jwks.setId, oauth2Jwks.kid],
          set: {
            alg: jwk.alg ?? "",
            use: jwk.use ?? "sig",
            publicJwk: publicPart(jwk) as Record<string, unknown>,
            privateJwk: privateJwk
              ? encryptAtRest(this.o2.keys.jwk, this.aad(set, kid), JSON.stringify(privateJwk))
              : null,
            retiredAt: null,
          },
        })
        .returning();
      this.invalidate(set);
      return row!;
    });
  }

  private invalidate(set?: string): void {
    if (set) this.current.delete(set);
    else this.current.clear();
  }

  /** Generates a key pair in a set; a signing key becomes the set's current signing key. */
  async generate(set: string, opts: { alg: string; kid?: string; use?: string }): Promise<JWK> {
    if (!SIGNING_ALGS.includes(opts.alg)) {
      throw new KeyError(`Algorithm "${opts.alg}" is not supported; use one of ${SIGNING_ALGS.join(", ")}.`);
    }
    const use = opts.use ?? "sig";
    if (use !== "sig" && use !== "enc") throw new KeyError(`Key use "${use}" must be "sig" or "enc".`);
    const { privateKey, publicKey } = await generateKeyPair(opts.alg, {
      extractable: true,
      ...(opts.alg === "EdDSA" ? { crv: "Ed25519" } : {}),
    });
    const kid = opts.kid || uuid();
    const meta = { kid, alg: opts.alg, use };
    const priv = { ...(await exportJWK(privateKey)), ...meta };
    const pub = { ...(await exportJWK(publicKey)), ...meta };
    await this.insert(set, pub, priv, use === "sig");
    return pub;
  }

  /** Stores a JWK given by an admin (public, or with its private part); returns its public part. */
  async put(set: string, jwk: JWK, retireOthers: boolean): Promise<JWK> {
    if (!jwk || typeof jwk !== "object" || typeof jwk.kty !== "string") {
      throw new KeyError("Each key must be a JSON Web Key with a kty.");
    }
    if (jwk.kty === "oct") throw new KeyError("Symmetric keys (kty oct) can not be stored.");
    const kid = jwk.kid || uuid();
    const alg = jwk.alg ?? "";
    if (alg && !SIGNING_ALGS.includes(alg)) throw new KeyError(`Algorithm "${alg}" is not supported.`);
    const full = { ...jwk, kid, use: jwk.use ?? "sig" } as JWK;
    try {
      await importJWK(publicPart(full), alg || undefined);
      if (full.d) await importJWK(full, alg || undefined);
    } catch (e) {
      throw new KeyError(`The key could not be imported: ${(e as Error).message}`);
    }
    const hasPrivate = typeof full.d === "string";
    await this.insert(
      set,
      full,
      hasPrivate ? full : undefined,
      retireOthers && hasPrivate && full.use === "sig",
    );
    return publicPart(full);
  }

  /** The current signing key of a set, generating one when the set has none. */
  async signingKey(set: string): Promise<SigningKey> {
    const cached = this.current.get(set);
    if (cached && Date.now() - cached.at < 10_000) return cached.key;
    const rows = await this.o2.ctx.db
      .select()
      .from(oauth2Jwks)
      .where(and(eq(oauth2Jwks.setId, set), eq(oauth2Jwks.use, "sig"), isNotNull(oauth2Jwks.privateJwk)))
      .orderBy(asc(oauth2Jwks.retiredAt), desc(oauth2Jwks.createdAt));
    // Not retired first (NULLS LAST in ascending order would put them last, so sort here).
    const candidates = [...rows.filter((r) => !r.retiredAt), ...rows.filter((r) => r.retiredAt)];
    for (const row of candidates) {
      const key = await this.importPrivate(row);
      if (key) {
        const signing = { kid: row.kid, alg: row.alg, key };
        this.current.set(set, { key: signing, at: Date.now() });
        return signing;
      }
    }
    if (candidates.length) {
      this.o2.ctx.log.warn(
        "no stored signing key can be decrypted with secrets.cipher; generating a new one",
        {
          set,
        },
      );
    }
    await this.generate(set, { alg: this.o2.cfg.keys.algorithm, use: "sig" });
    return this.signingKey(set);
  }

  private async importPrivate(row: Row): Promise<CryptoKey | undefined> {
    const cacheKey = `${row.setId}/${row.kid}`;
    const hit = this.imported.get(cacheKey);
    if (hit) return hit;
    if (!row.privateJwk) return undefined;
    const json = decryptAtRest(this.o2.keys.jwk, this.aad(row.setId, row.kid), row.privateJwk);
    if (!json) return undefined;
    const key = (await importJWK(JSON.parse(json) as JWK, row.alg)) as CryptoKey;
    this.imported.set(cacheKey, key);
    return key;
  }

  /**
   * The public keys of the Hydra key sets that may still verify a token (jwks.json; retired ones
   * until their retention ends), or of the one set named.
   */
  async publishedKeys(set?: string): Promise<JWK[]> {
    const cutoff = new Date(Date.now() - this.retention());
    const rows = await this.o2.ctx.db
      .select()
      .from(oauth2Jwks)
      .where(or(isNull(oauth2Jwks.retiredAt), gt(oauth2Jwks.retiredAt, cutoff)))
      .orderBy(desc(oauth2Jwks.createdAt));
    return rows
      .filter((r) => (set ? r.setId === set : PUBLISHED_SETS.includes(r.setId)))
      .map((r) => r.publicJwk as JWK);
  }

  /** Algorithms of the ID token keys (discovery's id_token_signing_alg_values_supported). */
  async idTokenAlgs(): Promise<string[]> {
    const keys = await this.publishedKeys();
    const algs = new Set<string>([this.o2.cfg.keys.algorithm]);
    for (const k of keys) if (k.alg && k.use !== "enc") algs.add(k.alg);
    return [...algs];
  }

  async getSet(set: string): Promise<JWK[]> {
    const rows = await this.o2.ctx.db
      .select()
      .from(oauth2Jwks)
      .where(eq(oauth2Jwks.setId, set))
      .orderBy(desc(oauth2Jwks.createdAt));
    return rows.map((r) => r.publicJwk as JWK);
  }

  async getKey(set: string, kid: string): Promise<JWK | undefined> {
    const [row] = await this.o2.ctx.db
      .select()
      .from(oauth2Jwks)
      .where(and(eq(oauth2Jwks.setId, set), eq(oauth2Jwks.kid, kid)))
      .limit(1);
    return row ? (row.publicJwk as JWK) : undefined;
  }

  /** Replaces a whole set. */
  async replaceSet(set: string, keys: JWK[]): Promise<JWK[]> {
    await this.o2.ctx.db.delete(oauth2Jwks).where(eq(oauth2Jwks.setId, set));
    this.invalidate(set);
    const out: JWK[] = [];
    for (const k of keys) out.push(await this.put(set, k, false));
    return out;
  }

  async deleteSet(set: string): Promise<boolean> {
    const rows = await this.o2.ctx.db
      .delete(oauth2Jwks)
      .where(eq(oauth2Jwks.setId, set))
      .returning({ kid: oauth2Jwks.kid });
    this.invalidate(set);
    return rows.length > 0;
  }

  async deleteKey(set: string, kid: string): Promise<boolean> {
    const rows = await this.o2.ctx.db
      .delete(oauth2Jwks)
      .where(and(eq(oauth2Jwks.setId, set), eq(oauth2Jwks.kid, kid)))
      .returning({ kid: oauth2Jwks.kid });
    this.imported.delete(`${set}/${kid}`);
    this.invalidate(set);
    return rows.length > 0;
  }
}
