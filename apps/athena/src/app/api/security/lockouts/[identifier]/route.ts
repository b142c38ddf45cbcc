import { OlympusApiError } from "@olympus/sdk";
import { HttpError, ok, route } from "@/lib/api";
import { LOCK_TYPES, type LockType, unlock } from "@/lib/core/security";

export const dynamic = "force-dynamic";
type P = { identifier: string };

/** Lifts a lock (`?type=identifier|ip|aal2`, identifier by default); the core audits who did it. */
export const DELETE = route<P>("write", async ({ req, params }) => {
  const type = (req.nextUrl.searchParams.get("type") || "identifier") as LockType;
  if (!LOCK_TYPES.includes(type)) {
    throw new HttpError(400, "invalid_type", `type must be one of ${LOCK_TYPES.join(", ")}.`);
  }
  const identifier = params.identifier;
  if (!identifier || identifier.length > 512) {
    throw new HttpError(400, "invalid_identifier", "The identifier is missing or too long.");
  }
  try {
    await unlock(identifier, type);
  } catch (e) {
    if (e instanceof OlympusApiError && e.status === 404) {
      throw new HttpError(404, "not_found", "There is no active lock for this identifier.");
    }
    throw e;
  }
  return ok({ unlocked: identifier, type });
});
