import { ok, route } from "@/lib/api";
import { canWrite } from "@/lib/auth/guard";
import { findMessages } from "@/lib/core/messages";

export const dynamic = "force-dynamic";

/** Courier messages; bodies only for admins (they carry recovery and verification codes). */
export const GET = route("read", async ({ req, session }) => {
  const p = req.nextUrl.searchParams;
  const page = await findMessages({
    status: p.get("status") || undefined,
    recipient: p.get("recipient") || undefined,
    pageToken: p.get("page_token") || undefined,
    withBodies: canWrite(session),
  });
  return ok(page);
});
