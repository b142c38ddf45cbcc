import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { assertAllowed, getIdentity } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";

export const dynamic = "force-dynamic";

const body = z.object({
  kind: z.enum(["recovery", "verification"]),
  /** One of the identity's own addresses; the core refuses any other. */
  address: z.string().min(1).max(320).optional(),
});

/**
 * Has the core mail the identity a recovery or a verification code (support without
 * impersonation). Recovery is refused for demo identities, as recovery links and codes are.
 */
export const POST = route<{ id: string }>("write", async ({ req, params, session }) => {
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  const { kind, address } = await jsonBody(req, body);
  const identity = await getIdentity(params.id);
  if (kind === "recovery") assertAllowed(identity, "recover", session);
  const sent = await core().olympus.sendIdentityEmail(params.id, kind, address ? { address } : {});
  return ok({ kind, address: sent.address, expires_at: sent.expires_at }, 202);
});
