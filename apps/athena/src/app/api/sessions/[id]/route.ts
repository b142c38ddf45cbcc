import { HttpError, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { UUID_RE } from "@/lib/core/identity-view";

export const dynamic = "force-dynamic";
type P = { id: string };
const check = (id: string) => {
  if (!UUID_RE.test(id)) throw new HttpError(404, "not_found", "No such session.");
};

/** Revokes (disables) one session. */
export const DELETE = route<P>("write", async ({ params }) => {
  check(params.id);
  await core().identity.disableSession({ id: params.id });
  return ok({ revoked: params.id });
});

/** Extends one session by the domain's session lifespan. */
export const PATCH = route<P>("write", async ({ params }) => {
  check(params.id);
  const s = await core().identity.extendSession({ id: params.id });
  return ok({ id: params.id, expires_at: s?.expires_at ?? null });
});
