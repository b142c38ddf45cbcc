import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { assertAllowed, getIdentity, resetPassword } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";
import { assertPasswordAccepted } from "@/lib/core/password-policy";

export const dynamic = "force-dynamic";

const body = z.object({
  /** Checked by the core's password policy. */
  password: z.string().min(1).max(1024),
});

/** Sets a new password at once (PUT with credentials.password.config.password). */
export const PUT = route<{ id: string }>("write", async ({ req, params, session }) => {
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  const { password } = await jsonBody(req, body);
  const identity = await getIdentity(params.id);
  assertAllowed(identity, "reset_password", session);
  const traits = (identity.traits ?? {}) as Record<string, unknown>;
  const identifiers = Object.values(traits).filter((v): v is string => typeof v === "string");
  await assertPasswordAccepted(password, identifiers.slice(0, 20));
  await resetPassword(identity, password);
  return ok({ id: identity.id, password_changed: true });
});
