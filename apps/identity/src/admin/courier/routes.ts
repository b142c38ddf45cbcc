import { and, asc, desc, eq, inArray, ne, type SQL } from "drizzle-orm";
import type { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { courierDispatches, courierMessages } from "../../db/schema.ts";
import { badRequest, notFound } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";

type MessageRow = typeof courierMessages.$inferSelect;
type DispatchRow = typeof courierDispatches.$inferSelect;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const listQuery = z.object({
  status: z.enum(["queued", "sent", "processing", "abandoned"]).optional(),
  recipient: z.string().min(1).max(320).optional(),
});

function dispatchToWire(d: DispatchRow): Record<string, unknown> {
  return {
    id: d.id,
    message_id: d.messageId,
    status: d.status,
    error: d.error ?? null,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}

/** The Kratos courier `Message` shape. */
export function messageToWire(m: MessageRow, dispatches: DispatchRow[]): Record<string, unknown> {
  return {
    id: m.id,
    type: m.type,
    status: m.status,
    recipient: m.recipient,
    subject: m.subject,
    body: m.body,
    template_type: m.templateType,
    channel: m.channel,
    send_count: m.sendCount,
    dispatches: dispatches.map(dispatchToWire),
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

async function dispatchesOf(db: DbOrTx, ids: string[]): Promise<Map<string, DispatchRow[]>> {
  const out = new Map<string, DispatchRow[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const rows = await db
    .select()
    .from(courierDispatches)
    .where(inArray(courierDispatches.messageId, ids))
    .orderBy(asc(courierDispatches.createdAt), asc(courierDispatches.id));
  for (const d of rows) out.get(d.messageId)?.push(d);
  return out;
}

export function registerAdminCourierRoutes(admin: Hono, ctx: AppContext): void {
  /** listCourierMessages: newest first, filtered by status and recipient, token-paginated. */
  admin.get("/courier/messages", async (c) => {
    const parsed = listQuery.safeParse({
      status: c.req.query("status") || undefined,
      recipient: c.req.query("recipient") || undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badRequest(`${issue.path.join(".")}: ${issue.message}`);
    }
    const { status, recipient } = parsed.data;
    const { size, offset } = pageParams(c);
    // Queued web hook calls share the courier's queue (selfservice/hook/queue.ts) but are not messages.
    const where: SQL[] = [ne(courierMessages.channel, "web_hook")];
    if (status) where.push(eq(courierMessages.status, status));
    if (recipient) where.push(eq(courierMessages.recipient, recipient));
    const rows = await ctx.db
      .select()
      .from(courierMessages)
      .where(and(...where))
      .orderBy(desc(courierMessages.createdAt), desc(courierMessages.id))
      .limit(size + 1)
      .offset(offset);
    const page = rows.slice(0, size);
    const dispatches = await dispatchesOf(
      ctx.db,
      page.map((m) => m.id),
    );
    // The Link header keeps the filters, so rel="next" is the next page of the same list.
    const filters = new URLSearchParams();
    if (status) filters.set("status", status);
    if (recipient) filters.set("recipient", recipient);
    const path = `${c.req.path.replace(/^\//, "")}${filters.size ? `?${filters}` : ""}`;
    setLinkHeader(c, ctx.rt.adminBaseUrl, path, size, offset, rows.length > size);
    return c.json(page.map((m) => messageToWire(m, dispatches.get(m.id) ?? [])));
  });

  /** getCourierMessage. */
  admin.get("/courier/messages/:id", async (c) => {
    const id = c.req.param("id");
    if (!UUID.test(id)) throw notFound("The courier message could not be found.");
    const [m] = await ctx.db
      .select()
      .from(courierMessages)
      .where(and(eq(courierMessages.id, id), ne(courierMessages.channel, "web_hook")))
      .limit(1);
    if (!m) throw notFound("The courier message could not be found.");
    const dispatches = await dispatchesOf(ctx.db, [m.id]);
    return c.json(messageToWire(m, dispatches.get(m.id) ?? []));
  });
}
