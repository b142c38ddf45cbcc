import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import {
  clientInput,
  clientRefusal,
  getClient,
  keptFieldsPatch,
  olympusFieldsPatch,
  toHydraClient,
} from "@/lib/core/oauth2-clients";

export const dynamic = "force-dynamic";
type P = { id: string };

const checkId = (id: string) => {
  if (!id || id.length > 255) throw new HttpError(404, "not_found", "No such client.");
};

export const GET = route<P>("read", async ({ params }) => {
  checkId(params.id);
  const { client_secret: _s, ...c } = await core().oauth2.getOAuth2Client({ id: params.id });
  return ok(c);
});

/** Replaces the editable fields; the secret is kept (it is rotated separately), and so is a rotation's overlap. */
export const PUT = route<P>("write", async ({ req, params }) => {
  checkId(params.id);
  const input = await jsonBody(req, clientInput);
  const api = core().oauth2;
  const { client_secret: _s, ...current } = await api.getOAuth2Client({ id: params.id });
  const raw = await getClient(params.id);
  await api
    .setOAuth2Client({
      id: params.id,
      oAuth2Client: { ...current, ...toHydraClient(input), client_id: params.id },
    })
    .catch(clientRefusal);
  // The replace reset the Olympus fields (the SDK model drops them); the patch sets them as the form says.
  const updated = await api
    .patchOAuth2Client({
      id: params.id,
      jsonPatch: [...olympusFieldsPatch(input), ...keptFieldsPatch(raw, input)],
    })
    .catch(clientRefusal);
  return ok({ client_id: updated.client_id });
});

export const DELETE = route<P>("write", async ({ params }) => {
  checkId(params.id);
  await core().oauth2.deleteOAuth2Client({ id: params.id });
  return ok({ deleted: params.id });
});
