import { type JWTPayload, UnsecuredJWT } from "jose";
import { checkLifetime, assertionOptions, CLOCK_TOLERANCE_S } from "../assertions/claims.ts";
import { spendJti } from "../assertions/jti.ts";
import { AssertionError, claimMessage, headerOf, verifyClientSigned } from "../assertions/verify.ts";
import { ASYMMETRIC_ALGS, type ClientRecord } from "../clients/model.ts";
import { findClientCached } from "../clients/repository.ts";
import { OAuth2Error } from "../errors.ts";
import { fetchRemote, RemoteError } from "../remote/fetch.ts";
import { nowSeconds, type OAuth2 } from "../runtime.ts";
import { AuthorizeError, type ClientTarget, resolveClient } from "./request.ts";

/*
 * JWT-Secured Authorization Requests (RFC 9101, OpenID Connect Core §6): the authorization request
 * as a JWT the client signed, by value (`request`) or by reference (`request_uri`, an https URL the
 * client registered in `request_uris`). This step runs before the request is parsed: it verifies the
 * object and answers the parameters the request is made of from then on, which are the object's
 * claims only (RFC 9101 §5: parameters outside the object do not count) plus `client_id`. The
 * request_url sealed in the challenges is those parameters, so later steps re-read them as for any
 * request, and the object (its `jti` spent) is never verified twice.
 */

/** Claims of the JWT itself, not parameters of the authorization request. */
const JWT_CLAIMS = new Set(["iss", "aud", "exp", "nbf", "iat", "jti", "sub"]);

/** The algorithms a client's request objects may use: the one it registered, else any asymmetric one. */
export function requestObjectAlgorithms(client: ClientRecord): string[] {
  const registered = client.data.request_object_signing_alg;
  return registered ? [registered] : ASYMMETRIC_ALGS;
}

/** Whether an authorization request carries a request object by value or by reference (a PAR request_uri is redeemed before). */
export function hasRequestObject(params: URLSearchParams): boolean {
  return params.has("request") || params.has("request_uri");
}

/**
 * Where an error about the request object goes: the client's redirect URI when the request outside
 * the object names a known client and a redirect URI it registered (or it registered exactly one),
 * with that request's `state`; otherwise the error page (the object's own redirect_uri is not trusted
 * until the object is).
 */
async function outerTarget(o2: OAuth2, params: URLSearchParams): Promise<ClientTarget | undefined> {
  try {
    const { redirectUri } = await resolveClient(o2, params);
    return { redirectUri, mode: "query", state: params.get("state") ?? undefined };
  } catch (e) {
    if (e instanceof AuthorizeError) return undefined;
    throw e;
  }
}

/** Parameter values of a request object: strings as they are, other JSON values (claims, authorization_details) as JSON. */
function asParameter(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/**
 * Verifies a request object for `client`: signed with one of its keys in an algorithm it allows
 * (`none` only when it registered `request_object_signing_alg: none`), `iss` its id, `aud` this
 * issuer, `exp`/`nbf`/`iat` in their windows, its `jti` unused (then spent), `client_id` (when
 * present) its id. Answers the object's parameters. Throws OAuth2Error invalid_request_object.
 */
export async function verifyRequestObject(
  o2: OAuth2,
  client: ClientRecord,
  jwt: string,
): Promise<URLSearchParams> {
  const refuse = (hint: string) => new OAuth2Error("invalid_request_object", hint);
  let payload: JWTPayload;
  try {
    const token = jwt.trim();
    const parts = token.split(".");
    if (token.length > 16_384) throw new AssertionError("The request object is too large.");
    const unsigned = parts.length === 3 && parts[2] === "" ? headerOfUnsigned(token) : undefined;
    const options = assertionOptions(o2, { issuer: client.id, audience: o2.issuer });
    if (unsigned !== undefined) {
      if (client.data.request_object_signing_alg !== "none") {
        throw new AssertionError(
          "The request object is not signed ('alg' none); the OAuth 2.0 Client did not register request_object_signing_alg 'none'.",
        );
      }
      try {
        payload = UnsecuredJWT.decode(token, options).payload;
      } catch (e) {
        throw new AssertionError(claimMessage(e));
      }
    } else {
      const { alg } = headerOf(token);
      if (alg === "none") throw new AssertionError("The request object's 'alg' none comes with a signature.");
      payload = await verifyClientSigned(o2, client, token, requestObjectAlgorithms(client), options);
    }
    checkLifetime(o2, payload);
  } catch (e) {
    if (e instanceof AssertionError) throw refuse(e.message);
    throw e;
  }
  if (payload.client_id !== undefined && payload.client_id !== client.id) {
    throw refuse("The request object's 'client_id' does not match the 'client_id' of the request.");
  }
  if (payload.request !== undefined || payload.request_uri !== undefined) {
    throw refuse("A request object may not contain 'request' or 'request_uri'.");
  }
  if (typeof payload.jti === "string") {
    const expiresAt = new Date(((payload.exp ?? nowSeconds()) + CLOCK_TOLERANCE_S) * 1000);
    if (!(await spendJti(o2.ctx.db, "request", client.id, payload.jti, expiresAt))) {
      throw refuse("Its 'jti' was used before: the request object is a replay.");
    }
  }
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(payload)) {
    if (JWT_CLAIMS.has(name)) continue;
    // A repeated parameter (several `resource`s) is an array of strings; authorization_details stays JSON.
    if (
      Array.isArray(value) &&
      name !== "authorization_details" &&
      value.every((v) => typeof v === "string")
    ) {
      for (const v of value) params.append(name, v);
      continue;
    }
    const v = asParameter(value);
    if (v !== undefined) params.set(name, v);
  }
  params.set("client_id", client.id);
  return params;
}

/** The header of an unsecured JWT (`alg` none, empty signature), or undefined when it is not one. */
function headerOfUnsigned(token: string): string | undefined {
  const [header] = token.split(".");
  try {
    const decoded = JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8")) as { alg?: unknown };
    return decoded.alg === "none" ? "none" : undefined;
  } catch {
    return undefined;
  }
}

/**
 * GETs a request object a client registered in `request_uris` (exact match). Fetched with the
 * `oauth2.clients.http` deadline and size limit, and never from a loopback, private or otherwise
 * non-public address (whatever `disallow_private_ip_ranges` says) unless the URL is one of
 * `private_ip_exception_urls`. Throws OAuth2Error invalid_request_uri.
 */
export async function fetchRequestObject(o2: OAuth2, client: ClientRecord, uri: string): Promise<string> {
  if (!client.data.request_uris.includes(uri)) {
    throw new OAuth2Error(
      "invalid_request_uri",
      `The 'request_uri' is not one of the OAuth 2.0 Client's registered request_uris.`,
    );
  }
  try {
    const doc = await fetchRemote(uri, { ...o2.fetchPolicy, disallowPrivate: true });
    return doc.body.trim();
  } catch (e) {
    if (e instanceof RemoteError) {
      throw new OAuth2Error("invalid_request_uri", `The 'request_uri' could not be fetched: ${e.message}`);
    }
    throw e;
  }
}

/**
 * The request-object step of /oauth2/auth (before the request is parsed): when the request carries
 * `request` or a (non-PAR) `request_uri`, answers the object's parameters; otherwise the parameters
 * as given. Errors go to the client's redirect URI when the outer request names a trusted one.
 */
export async function resolveRequestObject(o2: OAuth2, given: URLSearchParams): Promise<URLSearchParams> {
  if (!hasRequestObject(given)) return given;
  const target = await outerTarget(o2, given);
  const fail = (error: OAuth2Error): never => {
    throw new AuthorizeError(error, target);
  };
  if (given.has("request") && given.has("request_uri")) {
    fail(
      new OAuth2Error(
        "invalid_request",
        "The parameters 'request' and 'request_uri' were both given, but at most one may be used.",
      ),
    );
  }
  const clientId = given.get("client_id");
  if (!clientId) {
    fail(new OAuth2Error("invalid_request", "The 'client_id' parameter is required with a request object."));
  }
  const client = await findClientCached(o2.ctx.db, clientId!);
  if (!client) {
    throw new AuthorizeError(
      new OAuth2Error("invalid_client", "The requested OAuth 2.0 Client does not exist."),
    );
  }
  try {
    const jwt = given.has("request")
      ? given.get("request")!
      : await fetchRequestObject(o2, client, given.get("request_uri")!);
    return await verifyRequestObject(o2, client, jwt);
  } catch (e) {
    if (e instanceof OAuth2Error) return fail(e);
    throw e;
  }
}
