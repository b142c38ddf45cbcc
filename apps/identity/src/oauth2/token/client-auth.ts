import type { Context } from "hono";
import { decodeJwt } from "jose";
import { spendAssertion, verifyAssertion } from "../assertions/claims.ts";
import { AssertionError, headerOf } from "../assertions/verify.ts";
import {
  ASYMMETRIC_ALGS,
  type AuthMethod,
  type ClientRecord,
  HMAC_ALGS,
  isPublic,
} from "../clients/model.ts";
import { findClientCached, verifyClientSecret } from "../clients/repository.ts";
import { corsClient } from "../cors.ts";
import { OAuth2Error } from "../errors.ts";
import { type OAuth2, publicUrl } from "../runtime.ts";

/** RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

function basicCredentials(c: Context): { id: string; secret: string } | undefined {
  const header = c.req.header("authorization");
  if (!header || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  return id !== undefined && secret !== undefined ? { id, secret } : undefined;
}

/**
 * Authenticates the client of a token, revocation or similar request with the method it registered:
 * client_secret_basic, client_secret_post, private_key_jwt, client_secret_jwt or none. Every failure is 401 invalid_client; a failed Basic
 * attempt also gets `WWW-Authenticate: Basic` (RFC 6749 §5.2).
 */
export async function authenticateClient(
  c: Context,
  o2: OAuth2,
  form: URLSearchParams,
): Promise<ClientRecord> {
  const basic = basicCredentials(c);
  const hasBasicHeader = /^basic /i.test(c.req.header("authorization") ?? "");
  const headers: Record<string, string> = hasBasicHeader
    ? { "WWW-Authenticate": `Basic realm="${o2.issuer.replace(/"/g, "")}"` }
    : {};
  const invalid = (hint: string) => new OAuth2Error("invalid_client", hint, { headers });
  if (hasBasicHeader && !basic) throw invalid("The Authorization header is not valid Basic credentials.");

  const formId = form.get("client_id") ?? undefined;
  const formSecret = form.get("client_secret") ?? undefined;
  if (form.has("client_assertion") || form.has("client_assertion_type")) {
    if (basic || formSecret !== undefined) {
      throw new OAuth2Error(
        "invalid_request",
        "The client used more than one authentication method (a client assertion and a secret).",
      );
    }
    return authenticateWithAssertion(c, o2, form);
  }
  if (basic && formSecret !== undefined) {
    throw new OAuth2Error(
      "invalid_request",
      "The client sent credentials both in the Authorization header and in the body.",
    );
  }
  if (basic && formId !== undefined && formId !== basic.id) {
    throw invalid("The client_id in the body does not match the Authorization header.");
  }
  const method = basic ? "client_secret_basic" : formSecret !== undefined ? "client_secret_post" : "none";
  const id = basic?.id ?? formId;
  if (!id) throw invalid("The request carries no client authentication.");
  const client = await findClientCached(o2.ctx.db, id);
  if (!client) throw invalid("The requested OAuth 2.0 Client does not exist.");
  corsClient(c, client);
  checkMethod(client, method, invalid);
  if (method === "none") {
    if (!isPublic(client)) throw invalid("The client is not a public client.");
    return client;
  }
  const secret = basic?.secret ?? formSecret ?? "";
  if (!verifyClientSecret(o2, client, secret)) {
    throw invalid("The provided client secret does not match.");
  }
  return client;
}

function checkMethod(client: ClientRecord, method: AuthMethod, invalid: (hint: string) => OAuth2Error): void {
  const registered = client.data.token_endpoint_auth_method;
  if (registered !== method) {
    throw invalid(
      `The OAuth 2.0 Client supports client authentication method '${registered}', but method '${method}' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept '${method}'.`,
    );
  }
}

const JWT_BEARER_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/**
 * private_key_jwt and client_secret_jwt (RFC 7523 §2.2, OpenID Connect Core §9): a JWT whose `iss`
 * and `sub` are the client id, signed with one of the client's keys (or, HS*, its secret) in an
 * allowed algorithm, for this server (`aud`: the issuer, the token endpoint, or the endpoint called),
 * unexpired, not too long-lived, and never seen before (its `jti` is kept until it expires).
 */
async function authenticateWithAssertion(
  c: Context,
  o2: OAuth2,
  form: URLSearchParams,
): Promise<ClientRecord> {
  const invalid = (hint: string) => new OAuth2Error("invalid_client", hint);
  if (form.get("client_assertion_type") !== JWT_BEARER_ASSERTION) {
    throw invalid(`The 'client_assertion_type' must be '${JWT_BEARER_ASSERTION}'.`);
  }
  const assertion = form.get("client_assertion") ?? "";
  let alg: string;
  let claimedId: unknown;
  try {
    alg = headerOf(assertion).alg;
    claimedId = decodeJwt(assertion).sub;
  } catch (e) {
    throw invalid(e instanceof AssertionError ? e.message : "The 'client_assertion' is not a JWT.");
  }
  if (typeof claimedId !== "string" || !claimedId) {
    throw invalid("The 'client_assertion' must name the client in its 'sub' claim.");
  }
  const formId = form.get("client_id");
  if (formId !== null && formId !== claimedId) {
    throw invalid("The 'client_id' does not match the 'sub' of the 'client_assertion'.");
  }
  const client = await findClientCached(o2.ctx.db, claimedId);
  if (!client) throw invalid("The requested OAuth 2.0 Client does not exist.");
  corsClient(c, client);
  const method: AuthMethod = HMAC_ALGS.includes(alg) ? "client_secret_jwt" : "private_key_jwt";
  checkMethod(client, method, invalid);
  const registeredAlg = client.data.token_endpoint_auth_signing_alg;
  const algorithms = registeredAlg
    ? [registeredAlg]
    : method === "client_secret_jwt"
      ? HMAC_ALGS
      : ASYMMETRIC_ALGS;
  const payload = await verifyAssertion(o2, client, assertion, algorithms, {
    issuer: client.id,
    subject: client.id,
    audience: [o2.issuer, publicUrl(o2, "oauth2/token"), publicUrl(o2, c.req.path.replace(/^\//, ""))],
  }).catch((e: unknown) => {
    if (e instanceof AssertionError) throw invalid(`The 'client_assertion' was refused: ${e.message}`);
    throw e;
  });
  await spendAssertion(o2, "client", client.id, payload).catch((e: unknown) => {
    if (e instanceof AssertionError) throw invalid(`The 'client_assertion' was refused: ${e.message}`);
    throw e;
  });
  return client;
}
