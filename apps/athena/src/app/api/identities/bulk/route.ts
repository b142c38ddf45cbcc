import { z } from "zod";
import { jsonBody, ok, route } from "@/lib/api";
import { BULK_ACTIONS, type BulkResult, bulkOne } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";
import { BULK_MAX } from "@/lib/policy";

export const dynamic = "force-dynamic";

const body = z.object({
  action: z.enum(BULK_ACTIONS),
  ids: z.array(z.string().regex(UUID_RE, "an identity id")).min(1).max(BULK_MAX),
});

/** One action on many identities; demo identities are skipped for delete and deactivate. */
export const POST = route("write", async ({ req, session }) => {
  const { action, ids } = await jsonBody(req, body);
  const results: BulkResult[] = [];
  // One at a time: the core is shared with live traffic, and results stay in order.
  for (const id of new Set(ids)) results.push(await bulkOne(id, action, session));
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  return ok({ action, done: count("done"), skipped: count("skipped"), failed: count("failed"), results });
});
