import { ok, route } from "@/lib/api";
import { findLocks } from "@/lib/core/security";

export const dynamic = "force-dynamic";

/** Active sign-in locks of the domain (identifiers, client addresses, second factors). */
export const GET = route("read", async ({ req }) =>
  ok(await findLocks(req.nextUrl.searchParams.get("page_token") || undefined)),
);
