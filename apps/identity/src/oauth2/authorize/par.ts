import type { Context, Hono } from "hono";
import { uuid } from "../../security/random.ts";
import { spendJti } from "../assertions/jti.ts";
import type { ClientRecord } from "../clients/model.ts";
import { OAuth2Error } from "../errors.ts";
import { offerNonce, verifyDPoP } from "../dpop/proof.ts";
import { openFlow, sealFlow } from "../flow/challenge.ts";
import { noStore, readParams } from "../http.ts";
import { nowSeconds, type OAuth2, publicUrl, seconds } from "../runtime.ts";
import { authenticateClient } from "../token/client-auth.ts";
import { AuthorizeError, parseAuthorizeRequest } from "./request.ts";
import { verifyRequestObject } from "./request-object.ts";

/** RFC 9126 §2.2: the request_uri of a pushed request; the sealed request follows the prefix. */
export const PAR_URN = "urn:ietf:params:oauth:request_uri:";

/** Client authentication parameters: never part of the pushed authorization request itself. */
const AUTH_PARAMS = ["client_secret", "client_assertion", "client_assertion_type"];

/** Whether a client's authorization requests must be pushed (its own flag, or oauth2.pushed_authorization_requests.enforced). */
export function mustPush(o2: OAuth2, client: ClientRecord): boolean {
  return (
    o2.cfg.pushed_authorization_requests.enforced ||
    client.data.require_pushed_authorization_requests === true
  );
}

/**
 * POST /oauth2/par (RFC 9126): the client authenticates as at the token endpoint and pushes its
 * authorization request, which is validated now as /oauth2/auth would (errors answer here, as JSON,
 * never at the redirect URI). The answer's request_uri is the request sealed (like every challenge:
 * nothing is stored until it is used), valid for `oauth2.pushed_authorization_requests.ttl`.
 */
async function pushAuthorizationRequest(c: Context, o2: OAuth2): Promise<Response> {
  noStore(c);
  const form = await readParams(c, { query: false });
  // Checked before the client authenticates: a proof refused for its nonce does not spend an assertion.
  const dpop = await verifyDPoP(c, o2, { htu: publicUrl(o2, "oauth2/par"), site: "authorization-server" });
  const client = await authenticateClient(c, o2, form);
  if (form.has("request_uri")) {
    throw new OAuth2Error("invalid_request", "A pushed authorization request may not contain 'request_uri'.");
  }
  const outer = new URLSearchParams(form);
  for (const p of AUTH_PARAMS) outer.delete(p);
  if (outer.get("client_id") !== null && outer.get("client_id") !== client.id) {
    throw new OAuth2Error("invalid_request", "The 'client_id' does not match the authenticated client.");
  }
  // RFC 9126 §3: a request object pushed by value; its parameters are the request (RFC 9101 §5).
  const request = outer.get("request");
  const params = request !== null ? await verifyRequestObject(o2, client, request) : outer;
  params.set("client_id", client.id);
  // RFC 9449 §10.1: a proof at PAR binds the code to its key, as dpop_jkt does (both: they must agree).
  if (dpop) {
    const named = params.get("dpop_jkt");
    if (named !== null && named !== dpop.jkt) {
      throw new OAuth2Error(
        "invalid_dpop_proof",
        "The 'dpop_jkt' parameter does not match the key of the DPoP proof.",
      );
    }
    params.set("dpop_jkt", dpop.jkt);
  }
  try {
    await parseAuthorizeRequest(o2, params, `${publicUrl(o2, "oauth2/auth")}?${params.toString()}`);
  } catch (e) {
    if (e instanceof AuthorizeError) throw e.error;
    throw e;
  }
  const ttl = seconds(o2.cfg.pushed_authorization_requests.ttl);
  const sealed = await sealFlow(o2, "pushed_request", {
    id: uuid(),
    client_id: client.id,
    params: params.toString(),
    expires_at: nowSeconds() + ttl,
  });
  offerNonce(c, o2);
  return c.json({ request_uri: `${PAR_URN}${sealed}`, expires_in: ttl }, 201);
}

/**
 * The parameters of the pushed request a request_uri names, for its client, spending it (one use:
 * its id is recorded until it expires). Throws invalid_request_uri for anything else.
 */
export async function redeemPushedRequest(
  o2: OAuth2,
  requestUri: string,
  clientId: string | null,
): Promise<URLSearchParams> {
  const refuse = (hint: string) => new AuthorizeError(new OAuth2Error("invalid_request_uri", hint));
  const pushed = requestUri.startsWith(PAR_URN)
    ? await openFlow(o2, "pushed_request", requestUri.slice(PAR_URN.length))
    : undefined;
  if (!pushed) {
    throw refuse("The 'request_uri' was not issued by this server's pushed authorization request endpoint.");
  }
  if (clientId !== pushed.client_id) {
    throw refuse("The 'request_uri' was pushed by another client than the 'client_id' of this request.");
  }
  if (pushed.expires_at <= nowSeconds())
    throw refuse("The 'request_uri' has expired; push the request again.");
  if (!(await spendJti(o2.ctx.db, "par", pushed.client_id, pushed.id, new Date(pushed.expires_at * 1000)))) {
    throw refuse("The 'request_uri' has already been used; push the request again.");
  }
  return new URLSearchParams(pushed.params);
}

export function registerParRoute(app: Hono, o2: OAuth2): void {
  app.post("/oauth2/par", (c) => pushAuthorizationRequest(c, o2));
}
