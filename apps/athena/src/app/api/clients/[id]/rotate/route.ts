import { HttpError, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { isPublicClient, rotateSecret } from "@/lib/core/oauth2-clients";

export const dynamic = "force-dynamic";

/** Rotates a confidential client's secret; the answer is the only place the new secret appears. */
export const POST = route<{ id: string }>("write", async ({ params }) => {
  const client = await core().oauth2.getOAuth2Client({ id: params.id });
  if (isPublicClient(client)) {
    throw new HttpError(409, "public_client", "A public client has no secret to rotate.");
  }
  const rotated = await rotateSecret(params.id);
  return ok({ client_id: rotated.client_id ?? params.id, client_secret: rotated.client_secret });
});
