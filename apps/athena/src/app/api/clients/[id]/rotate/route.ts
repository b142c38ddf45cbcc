import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { hasClientSecret, MAX_OVERLAP_SECONDS, rotateSecret } from "@/lib/core/oauth2-clients";

export const dynamic = "force-dynamic";

const rotation = z.object({
  /** How long the previous secret keeps working (0: it stops at once). */
  overlap_seconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).default(0),
});

/**
 * Rotates a confidential client's secret; the answer is the only place the new secret appears, with
 * when the previous one stops working.
 */
export const POST = route<{ id: string }>("write", async ({ req, params }) => {
  const { overlap_seconds } = req.headers.get("content-type")
    ? await jsonBody(req, rotation)
    : { overlap_seconds: 0 };
  const client = await core().oauth2.getOAuth2Client({ id: params.id });
  if (!hasClientSecret(client)) {
    throw new HttpError(
      409,
      "no_secret",
      client.token_endpoint_auth_method === "none"
        ? "A public client has no secret to rotate."
        : "This client authenticates with its keys (private_key_jwt): it has no secret to rotate.",
    );
  }
  const rotated = await rotateSecret(params.id, overlap_seconds);
  return ok({
    client_id: rotated.client_id ?? params.id,
    client_secret: rotated.client_secret,
    rotated_secret_expires_at: rotated.rotated_secret_expires_at ?? null,
  });
});
