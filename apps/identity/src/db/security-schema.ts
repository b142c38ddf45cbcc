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
import { identities } from "./identity-schema.ts";

/*
 * Tables of the security capability (src/security): brute-force counters, the audit log and the
 * settings vault. Re-exported from schema.ts so drizzle-kit and the migration test see them.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * Failed-login counters, one row per (kind, key): `identifier` (a normalized login identifier, known or
 * not), `ip` (a client address) and `aal2` (an identity's second factor). Shared by every replica: the
 * counting is a single atomic upsert. Rows of an identity go with it (erasure).
 */
export const securityLoginThrottles = pgTable(
  "security_login_throttles",
  {
    id: uuid("id").primaryKey(),
    kind: text("kind", { enum: ["identifier", "ip", "aal2"] }).notNull(),
    key: text("key").notNull(),
    identityId: uuid("identity_id").references(() => identities.id, { onDelete: "cascade" }),
    /** Attempts in the current window, counted before the password is even checked. */
    attempts: integer("attempts").notNull().default(0),
    windowStartedAt: ts("window_started_at").notNull(),
    lockedUntil: ts("locked_until"),
    lastIp: text("last_ip"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("security_login_throttles_kind_key_uq").on(t.kind, t.key),
    index("security_login_throttles_locked_idx").on(t.lockedUntil),
    index("security_login_throttles_identity_idx").on(t.identityId),
  ],
);

/** Append-only security events (a trigger refuses UPDATE); old rows leave through the retention janitor. */
export const securityAuditLog = pgTable(
  "security_audit_log",
  {
    id: uuid("id").primaryKey(),
    event: text("event").notNull(),
    /** An identity id, "admin", or "anonymous". */
    actor: text("actor").notNull(),
    /** What the event is about: an identity id, an identifier, a session or client id, a settings key. */
    target: text("target"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    metadata: jsonb("metadata").notNull().$type<Record<string, unknown>>().default({}),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("security_audit_log_created_idx").on(t.createdAt, t.id),
    index("security_audit_log_event_idx").on(t.event, t.createdAt),
    index("security_audit_log_actor_idx").on(t.actor, t.createdAt),
    index("security_audit_log_target_idx").on(t.target, t.createdAt),
  ],
);

/** Per-domain settings; secret values are AES-256-GCM ciphertext (see security/crypto.ts). */
export const olympusSettings = pgTable(
  "olympus_settings",
  {
    key: text("key").primaryKey(),
    /** JSON text of the value, or its ciphertext when `secret`. */
    value: text("value").notNull(),
    secret: boolean("secret").notNull().default(false),
    category: text("category").notNull().default("general"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("olympus_settings_category_idx").on(t.category, t.key)],
);
