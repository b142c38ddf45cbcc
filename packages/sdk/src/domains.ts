/** The two identity domains of an Olympus deployment. */
export type DomainName = "ciam" | "iam";

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

/** The local defaults `octl deploy` uses (see the ports table in the README). */
export const localEndpoints: Record<DomainName, DomainEndpoints> = {
  ciam: {
    publicUrl: "http://127.0.0.1:3100",
    adminUrl: "http://127.0.0.1:3101",
    oauth2PublicUrl: "http://127.0.0.1:3102",
    oauth2AdminUrl: "http://127.0.0.1:3103",
  },
  iam: {
    publicUrl: "http://127.0.0.1:4100",
    adminUrl: "http://127.0.0.1:4101",
    oauth2PublicUrl: "http://127.0.0.1:4102",
    oauth2AdminUrl: "http://127.0.0.1:4103",
  },
};

/**
 * Reads a domain's endpoints from the environment (`CIAM_KRATOS_PUBLIC_URL`, `CIAM_KRATOS_ADMIN_URL`,
 * `CIAM_HYDRA_PUBLIC_URL`, `CIAM_HYDRA_ADMIN_URL`, likewise `IAM_…`), falling back to the local defaults.
 */
export function endpointsFromEnv(
  domain: DomainName,
  env: Record<string, string | undefined> = process.env,
): DomainEndpoints {
  const p = domain.toUpperCase();
  const d = localEndpoints[domain];
  return {
    publicUrl: env[`${p}_KRATOS_PUBLIC_URL`] ?? d.publicUrl,
    adminUrl: env[`${p}_KRATOS_ADMIN_URL`] ?? d.adminUrl,
    oauth2PublicUrl: env[`${p}_HYDRA_PUBLIC_URL`] ?? d.oauth2PublicUrl,
    oauth2AdminUrl: env[`${p}_HYDRA_ADMIN_URL`] ?? d.oauth2AdminUrl,
  };
}
