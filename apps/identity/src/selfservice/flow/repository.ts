import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../../db/client.ts";
import { preparedQuery } from "../../db/prepared.ts";
import { type FlowKind, selfserviceFlows } from "../../db/schema.ts";
import type { UiContainer } from "./ui.ts";

export type FlowRow = typeof selfserviceFlows.$inferSelect & { ui: UiContainer };

export async function insertFlow(
  db: DbOrTx,
  row: typeof selfserviceFlows.$inferInsert & { ui: UiContainer },
): Promise<FlowRow> {
  const [out] = await db.insert(selfserviceFlows).values(row).returning();
  return out as FlowRow;
}

/** Loads a flow of the given kind; undefined when the id is unknown or not a UUID. */
export async function findFlow(
  db: DbOrTx,
  kind: FlowKind,
  id: string | undefined,
): Promise<FlowRow | undefined> {
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const [row] = await flowById(db, { id, kind });
  return row as FlowRow | undefined;
}

/** Every flow submission starts here: a prepared statement. */
const flowById = preparedQuery<{ id: string; kind: FlowKind }, (typeof selfserviceFlows.$inferSelect)[]>(
  "selfservice_flow_by_id",
  (db) =>
    db
      .select()
      .from(selfserviceFlows)
      .where(
        and(
          eq(selfserviceFlows.id, sql.placeholder("id")),
          eq(selfserviceFlows.kind, sql.placeholder("kind")),
        ),
      )
      .limit(1),
);

type FlowPatch = Partial<Pick<FlowRow, "state" | "ui" | "data" | "identityId" | "sessionId" | "returnTo">>;

export async function updateFlow(db: DbOrTx, id: string, patch: FlowPatch): Promise<void> {
  await flowUpdate(db, id, patch);
}

/** The UPDATE of `updateFlow`, not yet run: for a change that writes it in its own statement. */
export function flowUpdate(db: DbOrTx, id: string, patch: FlowPatch) {
  return db
    .update(selfserviceFlows)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(selfserviceFlows.id, id));
}
