import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { assertAllowed, getIdentity } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";

export const dynamic = "force-dynamic";

const body = z.object({
  kind: z.enum(["link", "code"]),
  expires_in: z
    .string()
    .regex(/^\d+[smh]$/, "a duration such as 15m or 1h")
    .default("1h"),
});

/** Issues a recovery link or code for the identity (not for demo identities). */
export const POST = route<{ id: string }>("write", async ({ req, params, session }) => {
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  const { kind, expires_in } = await jsonBody(req, body);
  assertAllowed(await getIdentity(params.id), "recover", session);
  const api = core().identity;
  if (kind === "link") {
    const r = await api.createRecoveryLinkForIdentity({
      createRecoveryLinkForIdentityBody: { identity_id: params.id, expires_in },
    });
    return ok({ recovery_link: r.recovery_link, expires_at: r.expires_at ?? null });
  }
  const r = await api.createRecoveryCodeForIdentity({
    createRecoveryCodeForIdentityBody: { identity_id: params.id, expires_in },
  });
  return ok({
    recovery_link: r.recovery_link,
    recovery_code: r.recovery_code,
    expires_at: r.expires_at ?? null,
  });
});
