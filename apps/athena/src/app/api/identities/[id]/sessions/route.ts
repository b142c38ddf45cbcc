import { HttpError, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { UUID_RE } from "@/lib/core/identity-view";

export const dynamic = "force-dynamic";

/** The identity's sessions. */
export const GET = route<{ id: string }>("read", async ({ params }) => {
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  return ok(await core().identity.listIdentitySessions({ id: params.id }));
});

/** Revokes every session of the identity (it is signed out everywhere). */
export const DELETE = route<{ id: string }>("write", async ({ params }) => {
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  await core().identity.deleteIdentitySessions({ id: params.id });
  return ok({ revoked: "all", identity_id: params.id });
});
