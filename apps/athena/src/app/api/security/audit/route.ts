import { ok, route } from "@/lib/api";
import { auditRange, findAudit } from "@/lib/core/security";

export const dynamic = "force-dynamic";

/**
 * The security audit log, newest first, actors and targets named: `event` (exact or `prefix.*`),
 * `actor`, `target`, `from`/`to` (UTC days, both included), `page_token`. Viewers may read it.
 */
export const GET = route("read", async ({ req }) => {
  const p = req.nextUrl.searchParams;
  return ok(
    await findAudit({
      event: p.get("event") || undefined,
      actor: p.get("actor") || undefined,
      target: p.get("target") || undefined,
      ...auditRange(p.get("from"), p.get("to")),
      pageToken: p.get("page_token") || undefined,
    }),
  );
});
