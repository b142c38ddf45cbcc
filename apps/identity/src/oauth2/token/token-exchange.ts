import { createLocalJWKSet, decodeJwt, type JWTPayload, jwtVerify } from "jose";
import { assertionOptions, checkLifetime } from "../assertions/claims.ts";
import { AssertionError, headerOf, verifyWithKeys } from "../assertions/verify.ts";
import { ASYMMETRIC_ALGS, type ClientRecord, exchangePolicy, isPublic } from "../clients/model.ts";
import { findClientCached } from "../clients/repository.ts";
import { OAuth2Error } from "../errors.ts";
import { findActiveToken } from "../introspect/inspect.ts";
import { ID_TOKEN_SET } from "../keys/store.ts";
import { publicUrl, type OAuth2 } from "../runtime.ts";
import { isScopeToken, scopeAllowed, splitList } from "../scope.ts";
import { clientSubject } from "../subjects.ts";
import { trustFor } from "../trust/repository.ts";
import { audit } from "../../audit/audit.ts";
import { issueWithoutUser } from "./client-credentials.ts";
import type { TokenRequestContext } from "./issue.ts";
import { actOf } from "./tokens.ts";

export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

const TYPE = "urn:ietf:params:oauth:token-type:";
export const TOKEN_TYPES = {
  access_token: `${TYPE}access_token`,
  refresh_token: `${TYPE}refresh_token`,
  id_token: `${TYPE}id_token`,
  jwt: `${TYPE}jwt`,
} as const;

/** Token types a subject or actor token may have (refresh tokens are not accepted: they are the client's own). */
const INPUT_TYPES: string[] = [TOKEN_TYPES.access_token, TOKEN_TYPES.id_token, TOKEN_TYPES.jwt];
/** Token types this server issues by exchange: an access token (in the client's strategy) or a JWT access token. */
const OUTPUT_TYPES: string[] = [TOKEN_TYPES.access_token, TOKEN_TYPES.jwt];
/** How many actors an `act` chain may nest (each exchange with an actor adds one). */
const MAX_ACT_DEPTH = 8;

/** RFC 8693 §2.2.2: an invalid or unacceptable subject or actor token is `invalid_request`. */
const refused = (hint: string) => new OAuth2Error("invalid_request", hint);

/** A subject or actor token, validated: who it is about and what it carries. */
interface Party {
  subject: string;
  /** The client this server issued the token to (tokens of this server). */
  clientId?: string;
  /** The trusted issuer that signed it (JWTs of issuers trusted through the jwt-bearer trust API). */
  issuer?: string;
  /** What the token allows; the exchanged token is never wider. */
  scope: string[];
  expiresAt: Date;
  /** The token's own `act` chain (a token that came out of an exchange with an actor). */
  act?: Record<string, unknown>;
  /** The type the token was recognized as. */
  type: string;
}

/**
 * grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693): a confidential client
 * exchanges a subject token (an access or ID token this server issued, or a JWT of a trusted issuer)
 * for an access token for another audience, narrower or equal in scope. With an actor token the new
 * token carries the `act` claim (delegation, nested when the subject token had one); without one it
 * is impersonation, which the client's policy must allow. The client's `token_exchange` policy decides
 * whose tokens it may exchange and for which audiences, and denies everything by default.
 *
 * Every outcome after client authentication is audited (`oauth2.token.exchanged`,
 * `oauth2.token.exchange_refused`); tokens never appear in the log.
 */
export async function tokenExchangeGrant(
  o2: OAuth2,
  client: ClientRecord,
  form: URLSearchParams,
  { c, dpop }: TokenRequestContext = {},
): Promise<Record<string, unknown>> {
  const trail: Record<string, unknown> = {
    subject_token_type: form.get("subject_token_type")?.slice(0, 200) ?? null,
    actor_token_type: form.get("actor_token_type")?.slice(0, 200) ?? null,
  };
  try {
    const body = await exchange(o2, client, form, trail, dpop?.jkt);
    await audit(o2.ctx, c, {
      event: "oauth2.token.exchanged",
      actor: `client:${client.id}`,
      target: String(trail.subject),
      metadata: { client_id: client.id, ...trail },
    });
    return body;
  } catch (e) {
    if (e instanceof OAuth2Error) {
      await audit(o2.ctx, c, {
        event: "oauth2.token.exchange_refused",
        actor: `client:${client.id}`,
        target: typeof trail.subject === "string" ? trail.subject : null,
        metadata: { client_id: client.id, error: e.error, reason: e.hint ?? null, ...trail },
      });
    }
    throw e;
  }
}

async function exchange(
  o2: OAuth2,
  client: ClientRecord,
  form: URLSearchParams,
  trail: Record<string, unknown>,
  jkt: string | undefined,
): Promise<Record<string, unknown>> {
  checkClient(client);
  const req = parseRequest(form);
  const policy = exchangePolicy(client.data);

  const subject = await resolveToken(o2, req.subjectToken, req.subjectTokenType, "subject_token");
  trail.subject = subject.subject;
  trail.subject_client_id = subject.clientId ?? null;
  trail.subject_issuer = subject.issuer ?? null;
  const ownSubject = subject.clientId !== undefined;
  if (
    ownSubject &&
    subject.clientId !== client.id &&
    !policy.allowed_subject_clients.includes(subject.clientId!)
  ) {
    throw refused(
      `The client is not allowed to exchange tokens issued to client '${subject.clientId}' (token_exchange.allowed_subject_clients).`,
    );
  }
  if (!ownSubject && !policy.allowed_issuers.includes(subject.issuer!)) {
    throw refused(
      `The client is not allowed to exchange tokens of issuer '${subject.issuer}' (token_exchange.allowed_issuers).`,
    );
  }

  let act: Record<string, unknown> | undefined;
  let notAfter = subject.expiresAt;
  if (req.actorToken) {
    const actor = await resolveToken(o2, req.actorToken, req.actorTokenType!, "actor_token");
    if (
      actor.clientId !== undefined
        ? actor.clientId !== client.id
        : !policy.allowed_issuers.includes(actor.issuer!)
    ) {
      throw refused(
        "The actor_token must be a token this server issued to the client itself, or a JWT of an issuer in token_exchange.allowed_issuers.",
      );
    }
    act = {
      sub: actor.subject,
      ...(actor.issuer ? { iss: actor.issuer } : { client_id: actor.clientId }),
      ...(subject.act ? { act: subject.act } : {}),
    };
    if (actor.expiresAt < notAfter) notAfter = actor.expiresAt;
    trail.act = act;
  } else {
    if (!policy.may_impersonate) {
      throw new OAuth2Error(
        "unauthorized_client",
        "The client may not impersonate a subject: send an actor_token, or allow token_exchange.may_impersonate.",
      );
    }
    // Impersonation never sheds earlier actors: a delegated token stays delegated.
    act = subject.act;
    trail.impersonation = true;
  }
  if (act && actDepth(act) > MAX_ACT_DEPTH) {
    throw refused(`The 'act' chain would nest more than ${MAX_ACT_DEPTH} actors.`);
  }

  for (const target of req.targets) {
    if (!policy.allowed_audiences.includes(target)) {
      throw new OAuth2Error(
        "invalid_target",
        `The client may not obtain tokens for audience '${target}' (token_exchange.allowed_audiences).`,
      );
    }
  }
  trail.audience = req.targets;

  const scope = grantedScope(o2, client, subject, req.scope);
  trail.scope = scope;
  trail.requested_token_type = req.requestedType;

  const body = await issueWithoutUser(o2, client, {
    kind: "token_exchange",
    subject: subject.subject,
    clientSubject: clientSubject(o2, client, subject.subject),
    scope,
    audience: req.targets,
    request: {
      ...(act ? { act } : {}),
      subject_token_type: subject.type,
      ...(subject.clientId ? { subject_client_id: subject.clientId } : { subject_issuer: subject.issuer }),
    },
    notAfter,
    jkt,
    ...(req.requestedType === TOKEN_TYPES.jwt ? { strategy: "jwt" as const } : {}),
  });
  return { ...body, issued_token_type: req.requestedType };
}

/** Only confidential clients that registered the grant. */
function checkClient(client: ClientRecord): void {
  if (!client.data.grant_types.includes(TOKEN_EXCHANGE)) {
    throw new OAuth2Error(
      "unauthorized_client",
      `The client is not allowed to use authorization grant '${TOKEN_EXCHANGE}'.`,
    );
  }
  if (isPublic(client)) {
    throw new OAuth2Error(
      "unauthorized_client",
      "The client is public and thus not allowed to use grant type token exchange.",
    );
  }
}

interface ExchangeRequest {
  subjectToken: string;
  subjectTokenType: string;
  actorToken?: string;
  actorTokenType?: string;
  requestedType: string;
  /** The audiences and resources asked for (the issued token's `aud`). */
  targets: string[];
  /** The scope asked for; undefined when none was. */
  scope?: string[];
}

function parseRequest(form: URLSearchParams): ExchangeRequest {
  const subjectToken = form.get("subject_token");
  const subjectTokenType = form.get("subject_token_type");
  if (!subjectToken) throw new OAuth2Error("invalid_request", "The 'subject_token' parameter is missing.");
  if (!subjectTokenType) {
    throw new OAuth2Error("invalid_request", "The 'subject_token_type' parameter is missing.");
  }
  checkInputType(subjectTokenType, "subject_token_type");
  const actorToken = form.get("actor_token") ?? undefined;
  const actorTokenType = form.get("actor_token_type") ?? undefined;
  if (actorToken && !actorTokenType) {
    throw new OAuth2Error("invalid_request", "The 'actor_token_type' parameter is missing.");
  }
  if (!actorToken && actorTokenType) {
    throw new OAuth2Error("invalid_request", "'actor_token_type' was sent without an 'actor_token'.");
  }
  if (actorTokenType) checkInputType(actorTokenType, "actor_token_type");
  const requestedType = form.get("requested_token_type") || TOKEN_TYPES.access_token;
  if (!OUTPUT_TYPES.includes(requestedType)) {
    throw new OAuth2Error(
      "invalid_request",
      `The 'requested_token_type' '${requestedType.slice(0, 200)}' can not be issued; supported: ${OUTPUT_TYPES.join(", ")}.`,
    );
  }
  const targets: string[] = [];
  for (const value of form.getAll("audience")) targets.push(...splitList(value));
  for (const value of form.getAll("resource")) {
    for (const r of splitList(value)) {
      if (!isResource(r)) {
        throw new OAuth2Error(
          "invalid_target",
          `The 'resource' '${r.slice(0, 200)}' is not an absolute URI without a fragment (RFC 8707).`,
        );
      }
      targets.push(r);
    }
  }
  if (!targets.length) {
    throw new OAuth2Error(
      "invalid_request",
      "Name the audience or resource the exchanged token is for ('audience' or 'resource').",
    );
  }
  if (targets.length > 20) throw new OAuth2Error("invalid_request", "At most 20 audiences and resources.");
  const scopeParam = form.get("scope");
  const scope = scopeParam === null ? undefined : splitList(scopeParam);
  for (const s of scope ?? []) {
    if (!isScopeToken(s))
      throw new OAuth2Error("invalid_scope", `The scope '${s.slice(0, 200)}' is malformed.`);
  }
  return {
    subjectToken,
    subjectTokenType,
    ...(actorToken ? { actorToken, actorTokenType } : {}),
    requestedType,
    targets: [...new Set(targets)],
    ...(scope ? { scope } : {}),
  };
}

function checkInputType(type: string, param: string): void {
  if (type === TOKEN_TYPES.refresh_token) {
    throw new OAuth2Error("invalid_request", `A refresh token can not be exchanged ('${param}').`);
  }
  if (!INPUT_TYPES.includes(type)) {
    throw new OAuth2Error(
      "invalid_request",
      `The '${param}' '${type.slice(0, 200)}' is not supported; supported: ${INPUT_TYPES.join(", ")}.`,
    );
  }
}

/** RFC 8707 §2: an absolute URI without a fragment. */
function isResource(value: string): boolean {
  if (value.includes("#") || value.length > 2048) return false;
  try {
    return new URL(value).protocol.length > 1;
  } catch {
    return false;
  }
}

function actDepth(act: Record<string, unknown>): number {
  let depth = 0;
  let cur: unknown = act;
  while (cur && typeof cur === "object" && depth <= MAX_ACT_DEPTH + 1) {
    depth++;
    cur = (cur as { act?: unknown }).act;
  }
  return depth;
}

/**
 * The scope of the exchanged token: what was asked for, each value within the subject token's scope
 * and the client's; without a `scope` parameter, the subject token's scope the client may hold.
 */
function grantedScope(o2: OAuth2, client: ClientRecord, subject: Party, requested?: string[]): string[] {
  const strategy = o2.cfg.strategies.scope;
  const clientScope = splitList(client.data.scope);
  if (requested === undefined) return subject.scope.filter((s) => scopeAllowed(strategy, clientScope, s));
  for (const s of requested) {
    if (!scopeAllowed(strategy, subject.scope, s)) {
      throw new OAuth2Error(
        "invalid_scope",
        `The scope '${s}' is wider than the subject token's: an exchange can only narrow the scope.`,
      );
    }
    if (!scopeAllowed(strategy, clientScope, s)) {
      throw new OAuth2Error("invalid_scope", `The OAuth 2.0 Client is not allowed to request scope '${s}'.`);
    }
  }
  return requested;
}

/** Validates a subject or actor token of the given type; refuses (invalid_request) what is not acceptable. */
async function resolveToken(o2: OAuth2, token: string, type: string, param: string): Promise<Party> {
  if (token.length > 16_384) throw refused(`The '${param}' is too long.`);
  if (type === TOKEN_TYPES.access_token) {
    const own = await ownAccessToken(o2, token);
    if (!own) throw refused(`The '${param}' is not an active access token of this server.`);
    return own;
  }
  let alg: string;
  let kid: string | undefined;
  let claimed: JWTPayload;
  try {
    ({ alg, kid } = headerOf(token));
    claimed = decodeJwt(token);
  } catch (e) {
    throw refused(`The '${param}' is not a JWT${e instanceof AssertionError ? `: ${e.message}` : "."}`);
  }
  if (type === TOKEN_TYPES.id_token) {
    const own = await ownIdToken(o2, token, param);
    if (!own) throw refused(`The '${param}' is not a valid, unexpired ID token of this server.`);
    return own;
  }
  // urn:ietf:params:oauth:token-type:jwt: a JWT access token or ID token of this server, or a trusted issuer's.
  if (claimed.iss === o2.issuer) {
    const own = (await ownAccessToken(o2, token)) ?? (await ownIdToken(o2, token, param));
    if (!own) throw refused(`The '${param}' is not an active JWT of this server.`);
    return { ...own, type: TOKEN_TYPES.jwt };
  }
  return trustedJwt(o2, token, claimed, alg, kid, param);
}

/** An active access token (opaque or JWT) this server issued: found by its hash, unrevoked, unexpired. */
async function ownAccessToken(o2: OAuth2, token: string): Promise<Party | undefined> {
  const found = await findActiveToken(o2, token, "access_token");
  if (found?.use !== "access_token") return undefined;
  const act = actOf(found.grant);
  return {
    subject: found.grant.subject,
    clientId: found.grant.clientId,
    scope: found.scope,
    expiresAt: found.expiresAt,
    ...(act ? { act } : {}),
    type: TOKEN_TYPES.access_token,
  };
}

/**
 * An unexpired ID token this server signed (ID token keys only: a JWT access token is not an ID
 * token), for a client that still exists. ID tokens carry no scope; a pairwise client's `sub` can
 * not be traced back to the subject, so such ID tokens are refused.
 */
async function ownIdToken(o2: OAuth2, token: string, param: string): Promise<Party | undefined> {
  let payload: JWTPayload;
  try {
    const keys = createLocalJWKSet({ keys: await o2.jwks.getSet(ID_TOKEN_SET) });
    ({ payload } = await jwtVerify(token, keys, {
      issuer: o2.issuer,
      requiredClaims: ["sub", "aud", "exp"],
    }));
  } catch {
    return undefined;
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const clientId = typeof payload.azp === "string" ? payload.azp : aud[0];
  if (typeof clientId !== "string" || !aud.includes(clientId)) return undefined;
  const issuedTo = await findClientCached(o2.ctx.db, clientId);
  if (!issuedTo) return undefined;
  if (issuedTo.data.subject_type === "pairwise") {
    throw refused(`The '${param}' was issued to a pairwise client: its subject can not be exchanged.`);
  }
  return {
    subject: payload.sub!,
    clientId,
    scope: [],
    expiresAt: new Date(payload.exp! * 1000),
    type: TOKEN_TYPES.id_token,
  };
}

/**
 * A JWT of an issuer trusted through the jwt-bearer trust API (`/admin/trust/grants/jwt-bearer/issuers`),
 * held to the rules of a jwt-bearer assertion: a relationship for its `iss` and `sub`, signed with that
 * relationship's key, `aud` naming this server, `exp` within `oauth2.grant.jwt.max_ttl`. Its `jti`
 * is not spent: a subject token may be exchanged more than once (for several audiences). The scope it
 * carries is the relationship's (narrowed by its own `scope` claim, when it has one).
 */
async function trustedJwt(
  o2: OAuth2,
  token: string,
  claimed: JWTPayload,
  alg: string,
  kid: string | undefined,
  param: string,
): Promise<Party> {
  if (!ASYMMETRIC_ALGS.includes(alg)) throw refused(`The '${param}' is signed with '${alg}'.`);
  if (typeof claimed.iss !== "string" || !claimed.iss) throw refused(`The '${param}' has no 'iss' claim.`);
  if (typeof claimed.sub !== "string" || !claimed.sub) throw refused(`The '${param}' has no 'sub' claim.`);
  const trusted = await trustFor(o2.ctx.db, claimed.iss, claimed.sub, kid);
  if (!trusted.length) {
    throw refused(`No trust relationship allows issuer '${claimed.iss}' to assert subject '${claimed.sub}'.`);
  }
  const options = {
    ...assertionOptions(o2, {
      issuer: claimed.iss,
      subject: claimed.sub,
      audience: [publicUrl(o2, "oauth2/token"), o2.issuer],
    }),
    requiredClaims: ["exp"],
  };
  try {
    for (const t of trusted) {
      const payload = await verifyWithKeys(token, [t.publicJwk], alg, t.kid, options);
      if (!payload) continue;
      checkLifetime(o2, payload);
      const own = typeof payload.scope === "string" ? splitList(payload.scope) : undefined;
      const strategy = o2.cfg.strategies.scope;
      const scope = own ? own.filter((s) => scopeAllowed(strategy, t.scope, s)) : t.scope;
      return {
        subject: claimed.sub,
        issuer: claimed.iss,
        scope,
        expiresAt: new Date(payload.exp! * 1000),
        type: TOKEN_TYPES.jwt,
      };
    }
  } catch (e) {
    if (e instanceof AssertionError) throw refused(`The '${param}' was refused: ${e.message}`);
    throw e;
  }
  throw refused(`No trusted key verifies the signature of the '${param}'.`);
}
