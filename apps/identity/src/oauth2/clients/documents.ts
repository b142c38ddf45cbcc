import { OAuth2Error } from "../errors.ts";
import { fetchRemote, RemoteError } from "../remote/fetch.ts";
import type { OAuth2 } from "../runtime.ts";
import { checkClientKeys, type ClientData } from "./model.ts";

const metadataError = (hint: string) => new OAuth2Error("invalid_client_metadata", hint);

/**
 * OpenID Connect Registration §5: the sector_identifier_uri document is a JSON array of URIs that
 * must contain every redirect URI of the client, so a client can only claim a sector (and with it
 * the pairwise subjects of its users) whose owner lists it.
 */
async function checkSectorIdentifier(o2: OAuth2, data: ClientData): Promise<void> {
  if (!data.sector_identifier_uri) return;
  let uris: unknown;
  try {
    uris = JSON.parse((await fetchRemote(data.sector_identifier_uri, o2.fetchPolicy)).body);
  } catch (e) {
    const why = e instanceof RemoteError ? e.message : "The document is not JSON.";
    throw metadataError(`Unable to fetch the sector_identifier_uri document: ${why}`);
  }
  if (!Array.isArray(uris) || uris.some((u) => typeof u !== "string")) {
    throw metadataError("The sector_identifier_uri document must be a JSON array of redirect URIs.");
  }
  const missing = data.redirect_uris.filter((r) => !uris.includes(r));
  if (missing.length) {
    throw metadataError(
      `The sector_identifier_uri document does not list the redirect URI "${missing[0]}"; every redirect URI of the client must be in it.`,
    );
  }
}

/** What registration checks beyond the fields themselves: importable keys, the sector identifier document. */
export async function checkClientDocuments(o2: OAuth2, data: ClientData): Promise<void> {
  await checkClientKeys(data);
  await checkSectorIdentifier(o2, data);
}
