import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/*
 * The identity table, apart from the rest of the schema: every capability's tables point at it
 * (schema.ts, security-schema.ts, …), and schema.ts re-exports them all, so it must import none of them.
 */

export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const createdAt = () => ts("created_at").notNull().defaultNow();
export const updatedAt = () => ts("updated_at").notNull().defaultNow();

export const identities = pgTable(
  "identities",
  {
    id: uuid("id").primaryKey(),
    schemaId: text("schema_id").notNull(),
    state: text("state", { enum: ["active", "inactive"] })
      .notNull()
      .default("active"),
    stateChangedAt: ts("state_changed_at"),
    traits: jsonb("traits").notNull().$type<Record<string, unknown>>(),
    metadataPublic: jsonb("metadata_public").$type<unknown>(),
    metadataAdmin: jsonb("metadata_admin").$type<unknown>(),
    externalId: text("external_id"),
    organizationId: uuid("organization_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("identities_external_id_uq").on(t.externalId),
    index("identities_created_at_idx").on(t.createdAt, t.id),
  ],
);
