import type { Hono } from "hono";
import { importJWK, type JWK } from "jose";
import { z } from "zod";
import { isUniqueViolation } from "../../db/errors.ts";
import { badRequest, OryError } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";
import { uuid } from "../../security/random.ts";
import { keyFits } from "../assertions/verify.ts";
import { ASYMMETRIC_ALGS } from "../clients/model.ts";
import { parseBody } from "../flow/login.ts";
import { readJson } from "../http.ts";
import { publicPart } from "../keys/store.ts";
import type { OAuth2 } from "../runtime.ts";
import { isScopeToken } from "../scope.ts";
import { deleteTrust, findTrust, insertTrust, listTrust, trustToWire } from "./repository.ts";

/** Hydra's TrustOAuth2JwtGrantIssuer body. */
const trustBody = z.object({
  issuer: z.string().max(2048).optional(),
  subject: z.string().max(512).optional(),
  allow_any_subject: z.boolean().optional(),
  scope: z.array(z.string().max(512)).max(256).optional(),
  jwk: z.record(z.string(), z.unknown()).optional(),
  expires_at: z.string().max(64).optional(),
});

const notFound = () =>
  new OryError(404, "Unable to locate the resource", {
    reason: "The requested trust relationship does not exist.",
  });

/** The public key of a trust relationship: a public signing key with a kid, importable for its alg. */
async function trustedKey(value: Record<string, unknown> | undefined): Promise<JWK> {
  if (!value) throw badRequest("Field 'jwk' is required.");
  const jwk = value as JWK;
  if (typeof jwk.kty !== "string") throw badRequest("Field 'jwk' must be a JSON Web Key with a 'kty'.");
  if (typeof jwk.kid !== "string" || !jwk.kid || jwk.kid.length > 255) {
    throw badRequest("Field 'jwk.kid' is required (at most 255 characters).");
  }
  if (JSON.stringify(publicPart(jwk)) !== JSON.stringify(jwk)) {
    throw badRequest("Field 'jwk' must be a public key; it contains private or symmetric key material.");
  }
  if (jwk.use === "enc") throw badRequest("Field 'jwk' must be a signing key (use 'sig').");
  const algs = jwk.alg ? [jwk.alg] : ASYMMETRIC_ALGS.filter((a) => keyFits(jwk, a));
  if (!algs.length || !algs.every((a) => ASYMMETRIC_ALGS.includes(a))) {
    throw badRequest(`Field 'jwk' must be a signing key for one of ${ASYMMETRIC_ALGS.join(", ")}.`);
  }
  try {
    await importJWK(jwk, algs[0]);
  } catch (e) {
    throw badRequest(`Field 'jwk' can not be used: ${(e as Error).message}`);
  }
  return jwk;
}

/** Hydra's trust-relationship API for the jwt-bearer grant (`/admin/trust/grants/jwt-bearer/issuers`). */
export function registerTrustRoutes(admin: Hono, o2: OAuth2): void {
  const db = () => o2.ctx.db;
  const base = "/trust/grants/jwt-bearer/issuers";

  admin.post(base, async (c) => {
    const body = parseBody(trustBody, await readJson(c));
    if (!body.issuer) throw badRequest("Field 'issuer' is required.");
    if (body.subject && body.allow_any_subject) {
      throw badRequest("Both 'subject' and 'allow_any_subject' fields cannot be set at the same time.");
    }
    if (!body.subject && !body.allow_any_subject) {
      throw badRequest("One of 'subject' or 'allow_any_subject' field must be set.");
    }
    if (!body.expires_at) throw badRequest("Field 'expires_at' is required.");
    const expiresAt = new Date(body.expires_at);
    if (Number.isNaN(expiresAt.getTime()))
      throw badRequest("Field 'expires_at' must be an RFC 3339 date-time.");
    if (expiresAt <= new Date()) throw badRequest("Field 'expires_at' must lie in the future.");
    const scope = [...new Set(body.scope ?? [])];
    const bad = scope.find((s) => !isScopeToken(s));
    if (bad !== undefined) throw badRequest(`Scope '${bad}' contains characters a scope may not contain.`);
    const jwk = await trustedKey(body.jwk);
    try {
      const row = await insertTrust(db(), {
        id: uuid(),
        issuer: body.issuer,
        subject: body.allow_any_subject ? "" : body.subject!,
        allowAnySubject: Boolean(body.allow_any_subject),
        scope,
        kid: jwk.kid!,
        publicJwk: jwk as Record<string, unknown>,
        expiresAt,
        createdAt: new Date(),
      });
      return c.json(trustToWire(row), 201);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new OryError(
          409,
          "Unable to insert or update resource because a resource with that value exists already",
          {
            reason: "A trust relationship for this issuer, subject and key id exists already.",
          },
        );
      }
      throw e;
    }
  });

  admin.get(base, async (c) => {
    const page = pageParams(c, { size: 250, max: 1000 });
    const rows = await listTrust(db(), { issuer: c.req.query("issuer") || undefined }, page);
    setLinkHeader(c, o2.adminBaseUrl, `admin${base}`, page.size, page.offset, rows.length > page.size);
    return c.json(rows.slice(0, page.size).map(trustToWire));
  });

  admin.get(`${base}/:id`, async (c) => {
    const id = c.req.param("id");
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await findTrust(db(), id) : undefined;
    if (!row) throw notFound();
    return c.json(trustToWire(row));
  });

  admin.delete(`${base}/:id`, async (c) => {
    const id = c.req.param("id");
    if (!/^[0-9a-f-]{36}$/i.test(id) || !(await deleteTrust(db(), id))) throw notFound();
    return c.body(null, 204);
  });
}
