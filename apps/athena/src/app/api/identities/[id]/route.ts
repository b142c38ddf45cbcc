import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { assertAllowed, getIdentity, setState } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";

export const dynamic = "force-dynamic";
type P = { id: string };

function checkId(id: string) {
  if (!UUID_RE.test(id)) throw new HttpError(404, "not_found", "No such identity.");
}

export const GET = route<P>("read", async ({ params }) => {
  checkId(params.id);
  return ok(await getIdentity(params.id));
});

const patchBody = z.object({ state: z.enum(["active", "inactive"]) });

/** Changes the identity's state (deactivation is refused for demo identities). */
export const PATCH = route<P>("write", async ({ req, params, session }) => {
  checkId(params.id);
  const { state } = await jsonBody(req, patchBody);
  const identity = await getIdentity(params.id);
  if (state === "inactive") assertAllowed(identity, "deactivate", session);
  const updated = await setState(params.id, state);
  return ok({ id: updated.id, state: updated.state });
});

/** Deletes the identity (refused for demo identities). */
export const DELETE = route<P>("write", async ({ params, session }) => {
  checkId(params.id);
  assertAllowed(await getIdentity(params.id), "delete", session);
  await core().identity.deleteIdentity({ id: params.id });
  return ok({ deleted: params.id });
});
