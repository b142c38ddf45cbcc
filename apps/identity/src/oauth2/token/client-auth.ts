import type { Context } from "hono";
import { type ClientRecord, isPublic } from "../clients/model.ts";
import { findClientCached, verifyClientSecret } from "../clients/repository.ts";
import { OAuth2Error } from "../errors.ts";
import type { OAuth2 } from "../runtime.ts";

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
 * client_secret_basic, client_secret_post or none. Every failure is 401 invalid_client; a failed Basic
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
  const registered = client.data.token_endpoint_auth_method;
  if (registered !== method) {
    throw invalid(
      `The OAuth 2.0 Client supports client authentication method '${registered}', but method '${method}' was requested. You must configure the OAuth 2.0 client's 'token_endpoint_auth_method' value to accept '${method}'.`,
    );
  }
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
