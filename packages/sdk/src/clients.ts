import {
  Configuration,
  CourierApi,
  FrontendApi,
  IdentityApi,
  JwkApi,
  MetadataApi,
  OAuth2Api,
  OidcApi,
  WellknownApi,
} from "@ory/client-fetch";
import type { DomainEndpoints } from "./domains.ts";
import { OlympusAdminApi } from "./olympus.ts";

export interface ClientOptions {
  /** A fetch to use (cookie jars in tests, Next's fetch in apps). */
  fetchApi?: typeof fetch;
  /** Extra headers on every call (e.g. a forwarded Cookie on the server side). */
  headers?: Record<string, string>;
}

/** Every API of one Olympus domain, as @ory/client-fetch classes configured for its four ports. */
export interface DomainClients {
  frontend: FrontendApi;
  identity: IdentityApi;
  courier: CourierApi;
  metadata: MetadataApi;
  oauth2: OAuth2Api;
  oidc: OidcApi;
  jwk: JwkApi;
  wellknown: WellknownApi;
  olympus: OlympusAdminApi;
}

/** Configures the Ory SDK for one domain's identity core. */
export function createDomainClients(endpoints: DomainEndpoints, opts: ClientOptions = {}): DomainClients {
  const conf = (basePath: string) =>
    new Configuration({
      basePath: basePath.replace(/\/$/, ""),
      ...(opts.fetchApi ? { fetchApi: opts.fetchApi } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
  const pub = conf(endpoints.publicUrl);
  const admin = conf(endpoints.adminUrl);
  const oauthPublic = conf(endpoints.oauth2PublicUrl);
  const oauthAdmin = conf(endpoints.oauth2AdminUrl);
  return {
    frontend: new FrontendApi(pub),
    identity: new IdentityApi(admin),
    courier: new CourierApi(admin),
    metadata: new MetadataApi(admin),
    // OAuth2Api is configured for the admin API (clients, login/consent requests, introspection);
    // token-endpoint calls belong to an OAuth2 client library such as openid-client.
    oauth2: new OAuth2Api(oauthAdmin),
    oidc: new OidcApi(oauthPublic),
    jwk: new JwkApi(oauthAdmin),
    wellknown: new WellknownApi(oauthPublic),
    olympus: new OlympusAdminApi(endpoints.adminUrl, opts.fetchApi),
  };
}
