import { Configuration, OAuth2Api } from "@ory/client-fetch";
import * as oidc from "openid-client";

export interface MachineOptions {
  /** The domain's OAuth2 issuer, e.g. https://auth.example.com (discovery at /.well-known/openid-configuration). */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

// A service that calls an API as itself, with no person involved: the client credentials grant.
export async function connect({ issuer, clientId, clientSecret }: MachineOptions) {
  const options = issuer.startsWith("http://") ? { execute: [oidc.allowInsecureRequests] } : undefined;
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(clientSecret), options);
}

/** An access token for `scope`; cache it until shortly before `expires_in` runs out. */
export async function accessToken(config: oidc.Configuration, scope: string) {
  const tokens = await oidc.clientCredentialsGrant(config, { scope });
  return { accessToken: tokens.access_token, expiresIn: tokens.expiresIn(), scope: tokens.scope };
}

/**
 * The API receiving the token asks Olympus whether it is active (RFC 7662 introspection). As in Ory
 * Hydra, introspection is on the OAuth2 admin API, which only your own services can reach.
 */
export async function verify(oauth2AdminUrl: string, token: string) {
  const admin = new OAuth2Api(new Configuration({ basePath: oauth2AdminUrl }));
  const result = await admin.introspectOAuth2Token({ token });
  return { active: result.active, clientId: result.client_id, scope: result.scope, expiresAt: result.exp };
}
