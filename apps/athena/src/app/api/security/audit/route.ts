import { ok, route } from "@/lib/api";
import { findAudit } from "@/lib/core/security";

export const dynamic = "force-dynamic";

/** The security audit log, newest first: `event` (exact or `prefix.*`), `actor`, `target`, `page_token`. */
export const GET = route("read", async ({ req }) => {
  const p = req.nextUrl.searchParams;
  return ok(
    await findAudit({
      event: p.get("event") || undefined,
      actor: p.get("actor") || undefined,
      target: p.get("target") || undefined,
      pageToken: p.get("page_token") || undefined,
    }),
  );
});
