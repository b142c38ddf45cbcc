import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { forgetLiveRole, principalOf } from "@/lib/auth/live-role";
import { core } from "@/lib/core/clients";
import { assertAllowed, getIdentity } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";
import { athenaEnv } from "@/lib/env";
import { ROLES } from "@/lib/session/seal";

export const dynamic = "force-dynamic";
type P = { id: string };

const roleBody = z.object({ role: z.enum(ROLES).nullable() });

/**
 * Gives an IAM identity an Athena role (`admin`, `viewer`) or takes it away (`null`). The role lives
 * in `metadata_admin.role`, which only the admin API writes; the core audits the change as
 * `identity.role.changed` (old, new, and this administrator). IAM only; demo identities and the
 * administrator's own account are protected (409).
 */
export const PUT = route<P>("write", async ({ req, params, session }) => {
  if (athenaEnv().domain !== "iam") {
    throw new HttpError(404, "not_found", "Athena roles are given to IAM identities, in Athena IAM.");
  }
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  const { role } = await jsonBody(req, roleBody);
  const identity = await getIdentity(params.id);
  assertAllowed(identity, "change_role", session);
  if (identity.id === session.sub) {
    throw new HttpError(
      409,
      "self_protected",
      "You cannot change the role of your own administrator account.",
    );
  }
  const before = principalOf(identity).role ?? null;
  const meta =
    identity.metadata_admin &&
    typeof identity.metadata_admin === "object" &&
    !Array.isArray(identity.metadata_admin)
      ? { ...(identity.metadata_admin as Record<string, unknown>) }
      : {};
  if (role) meta.role = role;
  else delete meta.role;
  await core().identity.patchIdentity({
    id: identity.id,
    jsonPatch: [{ op: "add", path: "/metadata_admin", value: meta }],
  });
  forgetLiveRole(identity.id);
  return ok({ id: identity.id, old_role: before, role });
});
