import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/*
 * Tables of the OAuth2 / OpenID Connect provider (src/oauth2). Login, consent and logout requests are
 * not stored: they travel as encrypted challenges and verifiers. What is stored is what must be
 * remembered: clients, signing keys, login sessions and grants (one row per authorization, holding
 * its code and its current access and refresh token, all as keyed hashes).
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** OAuth2 clients; `data` holds the Hydra client fields that are not columns. */
export const oauth2Clients = pgTable(
  "oauth2_clients",
  {
    id: text("id").primaryKey(),
    /** HMAC-SHA256 of the client secret under a server key (a fast keyed hash: secrets are random). */
    secretHash: text("secret_hash"),
    /**
     * The secret itself, AES-256-GCM encrypted, only for client_secret_jwt clients: verifying their
     * HMAC-signed assertions needs the secret, not a hash of it.
     */
    secretSealed: text("secret_sealed"),
    clientName: text("client_name").notNull().default(""),
    owner: text("owner").notNull().default(""),
    data: jsonb("data").notNull().$type<Record<string, unknown>>(),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("oauth2_clients_created_idx").on(t.createdAt, t.id)],
);

/** JSON Web Keys by set (hydra.openid.id-token, hydra.jwt.access-token, or any admin-created set). */
export const oauth2Jwks = pgTable(
  "oauth2_jwks",
  {
    id: uuid("id").primaryKey(),
    setId: text("set_id").notNull(),
    kid: text("kid").notNull(),
    alg: text("alg").notNull(),
    use: text("use").notNull(),
    publicJwk: jsonb("public_jwk").notNull().$type<Record<string, unknown>>(),
    /** The private JWK, AES-256-GCM encrypted with a key derived from secrets.cipher; null for public-only keys. */
    privateJwk: text("private_jwk"),
    createdAt: ts("created_at").notNull().defaultNow(),
    /** Set when a newer key took over signing; the key stays published until tokens it signed expired. */
    retiredAt: ts("retired_at"),
  },
  (t) => [uniqueIndex("oauth2_jwks_set_kid_uq").on(t.setId, t.kid)],
);

/** Remembered OAuth2 logins (Hydra's authentication sessions); `id` is the `sid` of ID tokens. */
export const oauth2LoginSessions = pgTable(
  "oauth2_login_sessions",
  {
    id: uuid("id").primaryKey(),
    subject: text("subject").notNull(),
    /** The identity session (Kratos) this login came from: ending it ends this login session. */
    identitySessionId: text("identity_session_id"),
    remember: boolean("remember").notNull(),
    authenticatedAt: ts("authenticated_at").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("oauth2_login_sessions_subject_idx").on(t.subject),
    index("oauth2_login_sessions_identity_session_idx").on(t.identitySessionId),
    index("oauth2_login_sessions_expires_idx").on(t.expiresAt),
  ],
);

export type OAuth2GrantKind =
  | "authorization_code"
  | "device_code"
  | "client_credentials"
  | "jwt_bearer"
  | "token_exchange";

/**
 * One authorization: a handled consent (with its authorization code) or a client_credentials grant.
 * The row carries the current access and refresh token hashes, so rotation is one conditional UPDATE
 * and revoking the chain is clearing them. A remembered consent is a row with `remember`.
 */
export const oauth2Grants = pgTable(
  "oauth2_grants",
  {
    id: uuid("id").primaryKey(),
    kind: text("kind").$type<OAuth2GrantKind>().notNull(),
    clientId: text("client_id")
      .notNull()
      .references(() => oauth2Clients.id, { onDelete: "cascade" }),
    subject: text("subject").notNull(),
    /** The subject as the client sees it (pairwise or forced); equals `subject` for public identifiers. */
    clientSubject: text("client_subject").notNull(),
    /** The consent challenge this grant completed: the unique key makes every consent verifier single-use. */
    consentChallengeId: text("consent_challenge_id"),
    loginChallengeId: text("login_challenge_id"),
    loginSessionId: uuid("login_session_id"),
    grantedScope: jsonb("granted_scope").notNull().$type<string[]>(),
    grantedAudience: jsonb("granted_audience").notNull().$type<string[]>(),
    /** The scope of the current access token when a refresh asked for less than was granted (else null). */
    accessScope: jsonb("access_scope").$type<string[]>(),
    /** Consent `session.access_token` and `session.id_token` claims. */
    accessTokenClaims: jsonb("access_token_claims").notNull().$type<Record<string, unknown>>(),
    idTokenClaims: jsonb("id_token_claims").notNull().$type<Record<string, unknown>>(),
    /** The consent request as handled (for the consent sessions API). */
    request: jsonb("request").notNull().$type<Record<string, unknown>>(),
    consentSkipped: boolean("consent_skipped").notNull().default(false),
    remember: boolean("remember").notNull().default(false),
    rememberFor: integer("remember_for").notNull().default(0),
    nonce: text("nonce"),
    redirectUri: text("redirect_uri"),
    codeChallenge: text("code_challenge"),
    authTime: ts("auth_time"),
    requestedAt: ts("requested_at").notNull(),
    acr: text("acr"),
    amr: jsonb("amr").$type<string[]>(),
    codeHash: text("code_hash"),
    codeExpiresAt: ts("code_expires_at"),
    codeUsedAt: ts("code_used_at"),
    accessHash: text("access_hash"),
    accessExpiresAt: ts("access_expires_at"),
    refreshHash: text("refresh_hash"),
    refreshExpiresAt: ts("refresh_expires_at"),
    /** Incremented by every refresh; tokens carry it, so a replayed old refresh token is recognized. */
    generation: integer("generation").notNull().default(0),
    /** When the current tokens were issued (iat for introspection). */
    tokensIssuedAt: ts("tokens_issued_at"),
    /** When the refresh token was last rotated: tells a concurrent refresh from a replayed one. */
    refreshedAt: ts("refreshed_at"),
    tokensRevokedAt: ts("tokens_revoked_at"),
    handledAt: ts("handled_at").notNull().defaultNow(),
    /** Until when a remembered consent counts (null with `remember`: until revoked). */
    rememberUntil: ts("remember_until"),
    /** When the code and every token of the row have expired (or were revoked); the janitor's key. */
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [
    // Columns most grants leave empty (client_credentials rows carry no code, refresh token, consent or
    // login): partial indexes keep those rows out of them, so issuing a token maintains fewer indexes.
    uniqueIndex("oauth2_grants_consent_challenge_uq")
      .on(t.consentChallengeId)
      .where(sql`${t.consentChallengeId} is not null`),
    uniqueIndex("oauth2_grants_code_hash_uq").on(t.codeHash).where(sql`${t.codeHash} is not null`),
    uniqueIndex("oauth2_grants_access_hash_uq").on(t.accessHash),
    uniqueIndex("oauth2_grants_refresh_hash_uq").on(t.refreshHash).where(sql`${t.refreshHash} is not null`),
    index("oauth2_grants_login_challenge_idx")
      .on(t.loginChallengeId)
      .where(sql`${t.loginChallengeId} is not null`),
    index("oauth2_grants_subject_client_idx").on(t.subject, t.clientId, t.handledAt),
    index("oauth2_grants_client_idx").on(t.clientId),
    index("oauth2_grants_login_session_idx").on(t.loginSessionId).where(sql`${t.loginSessionId} is not null`),
    index("oauth2_grants_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Login and consent requests whose end no other row records: a rejected request (final at once, so it
 * answers 410) and a redeemed verifier that writes nothing else (a remembered login's, a rejection's).
 * `id` is `login:<login challenge id>` or `consent:<consent id>`; rows are useless after `expires_at`
 * (the request's own expiry) and the janitor deletes them.
 */
export const oauth2HandledRequests = pgTable(
  "oauth2_handled_requests",
  {
    id: text("id").primaryKey(),
    rejected: boolean("rejected").notNull().default(false),
    verifierUsedAt: ts("verifier_used_at"),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("oauth2_handled_requests_expires_idx").on(t.expiresAt)],
);

/**
 * `jti`s of JWT assertions already used (client authentication, the jwt-bearer grant), kept until the
 * assertion expires: a replayed assertion finds its row. `id` is a hash of the namespace, the issuer
 * and the jti.
 */
export const oauth2Jtis = pgTable(
  "oauth2_jtis",
  {
    id: text("id").primaryKey(),
    expiresAt: ts("expires_at").notNull(),
  },
  (t) => [index("oauth2_jtis_expires_idx").on(t.expiresAt)],
);

/**
 * Device authorization requests (RFC 8628): the device polls with its `device_code`, the user enters
 * the `user_code` (both stored as keyed hashes only). The user code is spent when the login UI
 * accepts it (`user_code_used_at`); the consent that follows links the grant (`grant_id`) or denies
 * (`denied_at`); the device's first successful poll redeems it (`redeemed_at`). `last_polled_at` and
 * `interval_s` (raised by 5 s with every `slow_down`) pace the polling. Deleted by the janitor once
 * expired.
 */
export const oauth2DeviceRequests = pgTable(
  "oauth2_device_requests",
  {
    id: uuid("id").primaryKey(),
    clientId: text("client_id")
      .notNull()
      .references(() => oauth2Clients.id, { onDelete: "cascade" }),
    deviceCodeHash: text("device_code_hash").notNull(),
    userCodeHash: text("user_code_hash").notNull(),
    requestedScope: jsonb("requested_scope").notNull().$type<string[]>(),
    requestedAudience: jsonb("requested_audience").notNull().$type<string[]>(),
    intervalS: integer("interval_s").notNull(),
    lastPolledAt: ts("last_polled_at"),
    userCodeUsedAt: ts("user_code_used_at"),
    grantId: uuid("grant_id"),
    deniedAt: ts("denied_at"),
    redeemedAt: ts("redeemed_at"),
    expiresAt: ts("expires_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("oauth2_device_requests_device_code_uq").on(t.deviceCodeHash),
    uniqueIndex("oauth2_device_requests_user_code_uq").on(t.userCodeHash),
    index("oauth2_device_requests_expires_idx").on(t.expiresAt),
  ],
);

/**
 * Hydra's trust relationships for the jwt-bearer grant (RFC 7523 §2.1): assertions from `issuer`
 * about `subject` (or any subject), signed with this public key, may be exchanged for access tokens
 * with at most `scope`, until `expires_at`.
 */
export const oauth2TrustedJwtIssuers = pgTable(
  "oauth2_trusted_jwt_issuers",
  {
    id: uuid("id").primaryKey(),
    issuer: text("issuer").notNull(),
    /** "" when `allow_any_subject`. */
    subject: text("subject").notNull().default(""),
    allowAnySubject: boolean("allow_any_subject").notNull().default(false),
    scope: jsonb("scope").notNull().$type<string[]>(),
    kid: text("kid").notNull(),
    publicJwk: jsonb("public_jwk").notNull().$type<Record<string, unknown>>(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("oauth2_trusted_jwt_issuers_uq").on(t.issuer, t.subject, t.kid),
    index("oauth2_trusted_jwt_issuers_created_idx").on(t.createdAt, t.id),
  ],
);

export const oauth2Tables = {
  oauth2Clients,
  oauth2Jwks,
  oauth2LoginSessions,
  oauth2Grants,
  oauth2HandledRequests,
  oauth2Jtis,
  oauth2TrustedJwtIssuers,
  oauth2DeviceRequests,
};
