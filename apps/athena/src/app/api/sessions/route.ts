import { ok, route } from "@/lib/api";
import { findSessions } from "@/lib/core/sessions";

export const dynamic = "force-dynamic";

/** Sessions of the domain, or of the identity matching `identity` (id or identifier). */
export const GET = route("read", async ({ req }) => {
  const p = req.nextUrl.searchParams;
  return ok(
    await findSessions({
      identity: p.get("identity") || undefined,
      active: p.get("active") !== "false",
      pageToken: p.get("page_token") || undefined,
    }),
  );
});
