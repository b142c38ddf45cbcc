import { type CORE_URL_ENV, type Domain, domainEnvName, localCoreUrls } from "@olympus/platform";

/** The two identity domains of an Olympus deployment. */
export type DomainName = Domain;

/** Where one domain's identity core listens. */
export interface DomainEndpoints {
  /** Kratos public API (self-service flows, whoami). */
  publicUrl: string;
  /** Kratos admin API (identities, sessions, courier, Olympus stats). Never public. */
  adminUrl: string;
  /** Hydra public API (OAuth2/OIDC endpoints, discovery, JWKS). */
  oauth2PublicUrl: string;
  /** Hydra admin API (clients, login/consent/logout requests, introspection). Never public. */
  oauth2AdminUrl: string;
}

function local(domain: DomainName): DomainEndpoints {
  const u = localCoreUrls(domain);
  return {
    publicUrl: u.kratosPublic,
    adminUrl: u.kratosAdmin,
    oauth2PublicUrl: u.hydraPublic,
    oauth2AdminUrl: u.hydraAdmin,
  };
}

/** The local defaults `octl deploy` uses (@olympus/platform's ports, docs/deploying.md). */
export const localEndpoints: Record<DomainName, DomainEndpoints> = { ciam: local("ciam"), iam: local("iam") };

/**
 * Reads a domain's endpoints from the environment (`CIAM_KRATOS_PUBLIC_URL`, `CIAM_KRATOS_ADMIN_URL`,
 * `CIAM_HYDRA_PUBLIC_URL`, `CIAM_HYDRA_ADMIN_URL`, likewise `IAM_…`), falling back to the local defaults.
 */
export function endpointsFromEnv(
  domain: DomainName,
  env: Record<string, string | undefined> = process.env,
): DomainEndpoints {
  const d = localEndpoints[domain];
  const read = (key: keyof typeof CORE_URL_ENV) => env[domainEnvName(domain, key)];
  return {
    publicUrl: read("kratosPublic") ?? d.publicUrl,
    adminUrl: read("kratosAdmin") ?? d.adminUrl,
    oauth2PublicUrl: read("hydraPublic") ?? d.oauth2PublicUrl,
    oauth2AdminUrl: read("hydraAdmin") ?? d.oauth2AdminUrl,
  };
}
