import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { assertAllowed, getIdentity, resetPassword } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";
import { PASSWORD_MIN } from "@/lib/policy";

export const dynamic = "force-dynamic";

const body = z.object({
  password: z.string().min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`).max(1024),
});

/** Sets a new password at once (PUT with credentials.password.config.password). */
export const PUT = route<{ id: string }>("write", async ({ req, params, session }) => {
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  const { password } = await jsonBody(req, body);
  const identity = await getIdentity(params.id);
  assertAllowed(identity, "reset_password", session);
  await resetPassword(identity, password);
  return ok({ id: identity.id, password_changed: true });
});
