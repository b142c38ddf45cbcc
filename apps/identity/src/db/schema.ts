import {
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, identities, ts, updatedAt } from "./identity-schema.ts";

/** One row per credential type of an identity (password, totp, …); `config` holds the type's secret data. */
export const identityCredentials = pgTable(
  "identity_credentials",
  {
    id: uuid("id").primaryKey(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    config: jsonb("config").notNull().$type<Record<string, unknown>>(),
    version: integer("version").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("identity_credentials_identity_type_uq").on(t.identityId, t.type)],
);

/** Login identifiers; the unique index is what makes duplicate registrations impossible, even when concurrent. */
export const identityCredentialIdentifiers = pgTable(
  "identity_credential_identifiers",
  {
    id: uuid("id").primaryKey(),
    credentialId: uuid("credential_id").notNull(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    identifier: text("identifier").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // Named explicitly: the generated name exceeds PostgreSQL's 63-character identifier limit.
    foreignKey({
      name: "identity_credential_identifiers_credential_fk",
      columns: [t.credentialId],
      foreignColumns: [identityCredentials.id],
    }).onDelete("cascade"),
    uniqueIndex("identity_credential_identifiers_type_identifier_uq").on(t.type, t.identifier),
    index("identity_credential_identifiers_identity_idx").on(t.identityId),
  ],
);

export const identityVerifiableAddresses = pgTable(
  "identity_verifiable_addresses",
  {
    id: uuid("id").primaryKey(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    via: text("via").notNull(),
    value: text("value").notNull(),
    verified: boolean("verified").notNull().default(false),
    status: text("status", { enum: ["pending", "sent", "completed"] })
      .notNull()
      .default("pending"),
    verifiedAt: ts("verified_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("identity_verifiable_addresses_via_value_uq").on(t.via, t.value),
    index("identity_verifiable_addresses_identity_idx").on(t.identityId),
  ],
);

export const identityRecoveryAddresses = pgTable(
  "identity_recovery_addresses",
  {
    id: uuid("id").primaryKey(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    via: text("via").notNull(),
    value: text("value").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("identity_recovery_addresses_via_value_uq").on(t.via, t.value),
    index("identity_recovery_addresses_identity_idx").on(t.identityId),
  ],
);

export type FlowKind = "login" | "registration" | "recovery" | "verification" | "settings";

/** Every self-service flow, one table: the UI container and per-kind state live in JSON columns. */
export const selfserviceFlows = pgTable(
  "selfservice_flows",
  {
    id: uuid("id").primaryKey(),
    kind: text("kind").$type<FlowKind>().notNull(),
    type: text("type", { enum: ["browser", "api"] }).notNull(),
    state: text("state").notNull(),
    requestUrl: text("request_url").notNull(),
    returnTo: text("return_to"),
    /** SHA-256 of the browser's CSRF secret: binds a browser flow to the browser that started it. */
    csrfHash: text("csrf_hash"),
    identityId: uuid("identity_id").references(() => identities.id, { onDelete: "cascade" }),
    sessionId: uuid("session_id"),
    ui: jsonb("ui").notNull().$type<unknown>(),
    data: jsonb("data").notNull().$type<Record<string, unknown>>().default({}),
    issuedAt: ts("issued_at").notNull().defaultNow(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("selfservice_flows_expires_at_idx").on(t.expiresAt)],
);

/** One-time codes of self-service flows (recovery, verification, `code` login and registration); only a hash is stored. */
export const selfserviceCodes = pgTable(
  "selfservice_codes",
  {
    id: uuid("id").primaryKey(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => selfserviceFlows.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["recovery", "verification", "login", "registration"] }).notNull(),
    identityId: uuid("identity_id").references(() => identities.id, { onDelete: "cascade" }),
    address: text("address").notNull(),
    codeHash: text("code_hash").notNull(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    createdAt: createdAt(),
  },
  (t) => [index("selfservice_codes_flow_idx").on(t.flowId)],
);

export const sessions = pgTable(
  "sessions",
  {
    id: uuid("id").primaryKey(),
    identityId: uuid("identity_id")
      .notNull()
      .references(() => identities.id, { onDelete: "cascade" }),
    /** SHA-256 of the session token (cookie value, X-Session-Token or Bearer). */
    tokenHash: text("token_hash").notNull(),
    /** SHA-256 of the logout token (ory_lo_…). */
    logoutTokenHash: text("logout_token_hash").notNull(),
    active: boolean("active").notNull().default(true),
    aal: text("aal", { enum: ["aal0", "aal1", "aal2", "aal3"] })
      .notNull()
      .default("aal1"),
    authenticationMethods: jsonb("authentication_methods")
      .notNull()
      .$type<{ method: string; aal: string; completed_at: string; provider?: string; amr?: string[] }[]>(),
    devices: jsonb("devices")
      .notNull()
      .$type<{ id: string; ip_address?: string; user_agent?: string; location?: string }[]>()
      .default([]),
    issuedAt: ts("issued_at").notNull().defaultNow(),
    authenticatedAt: ts("authenticated_at").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("sessions_token_hash_uq").on(t.tokenHash),
    uniqueIndex("sessions_logout_token_hash_uq").on(t.logoutTokenHash),
    index("sessions_identity_idx").on(t.identityId, t.createdAt),
    index("sessions_expires_at_idx").on(t.expiresAt),
  ],
);

export const courierMessages = pgTable(
  "courier_messages",
  {
    id: uuid("id").primaryKey(),
    type: text("type", { enum: ["email", "phone", "web_hook"] })
      .notNull()
      .default("email"),
    status: text("status", { enum: ["queued", "processing", "sent", "abandoned"] })
      .notNull()
      .default("queued"),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    body: text("body").notNull(),
    htmlBody: text("html_body"),
    templateType: text("template_type").notNull(),
    channel: text("channel").notNull().default("email"),
    sendCount: integer("send_count").notNull().default(0),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("courier_messages_queue_idx").on(t.status, t.nextAttemptAt),
    index("courier_messages_created_idx").on(t.createdAt, t.id),
  ],
);

export const courierDispatches = pgTable(
  "courier_message_dispatches",
  {
    id: uuid("id").primaryKey(),
    messageId: uuid("message_id")
      .notNull()
      .references(() => courierMessages.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["success", "failed"] }).notNull(),
    error: jsonb("error").$type<unknown>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("courier_message_dispatches_message_idx").on(t.messageId)],
);

export const selfserviceErrors = pgTable(
  "selfservice_errors",
  {
    id: uuid("id").primaryKey(),
    error: jsonb("error").notNull().$type<unknown>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // The janitor deletes stored errors by age.
  (t) => [index("selfservice_errors_created_idx").on(t.createdAt)],
);

export const schemaTables = {
  identities,
  identityCredentials,
  identityCredentialIdentifiers,
  identityVerifiableAddresses,
  identityRecoveryAddresses,
  selfserviceFlows,
  selfserviceCodes,
  sessions,
  courierMessages,
  courierDispatches,
  selfserviceErrors,
};
export * from "./identity-schema.ts";
export * from "./security-schema.ts";
export * from "./oauth2-schema.ts";
