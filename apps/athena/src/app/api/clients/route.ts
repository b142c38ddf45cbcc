import { jsonBody, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import {
  clientInput,
  clientRefusal,
  listAllClients,
  olympusFieldsPatch,
  toHydraClient,
} from "@/lib/core/oauth2-clients";

export const dynamic = "force-dynamic";

/** Every OAuth2 client of the domain (secrets are never listed). */
export const GET = route("read", async () => {
  const { clients, truncated } = await listAllClients();
  return ok({ clients: clients.map(({ client_secret: _s, ...c }) => c), truncated });
});

/**
 * Registers a client; a confidential client's secret is in this answer and nowhere else. A core
 * refusal comes back on the field it names.
 */
export const POST = route("write", async ({ req }) => {
  const input = await jsonBody(req, clientInput);
  const api = core().oauth2;
  const created = await api.createOAuth2Client({ oAuth2Client: toHydraClient(input) }).catch(clientRefusal);
  const id = created.client_id!;
  try {
    await api.patchOAuth2Client({ id, jsonPatch: olympusFieldsPatch(input) }).catch(clientRefusal);
  } catch (e) {
    // Half a registration is no registration: the client goes again, and the error is answered.
    await api.deleteOAuth2Client({ id }).catch(() => undefined);
    throw e;
  }
  return ok({ client_id: created.client_id, client_secret: created.client_secret ?? null }, 201);
});
