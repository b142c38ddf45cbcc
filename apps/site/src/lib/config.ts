import { type Domain, localCoreUrls, PORTS } from "@olympus/platform";
import { z } from "zod";

/** The two identity domains the playground can talk to. */
export { type Domain, DOMAINS, isDomain } from "@olympus/platform";

const httpUrl = z.url({ protocol: /^https?$/ });
const clientId = z.string().trim().min(1).max(255);

/** The Site's run-time configuration; every key comes from the environment (one build, any deployment). */
export const siteConfigSchema = z.object({
  CIAM_ISSUER_URL: httpUrl.default(localCoreUrls("ciam", "localhost").hydraPublic),
  IAM_ISSUER_URL: httpUrl.default(localCoreUrls("iam", "localhost").hydraPublic),
  SITE_PUBLIC_URL: httpUrl.default(`http://localhost:${PORTS.site}`),
  CIAM_PLAYGROUND_CLIENT_ID: clientId.default("site-playground-ciam"),
  IAM_PLAYGROUND_CLIENT_ID: clientId.default("site-playground-iam"),
  /** The playground's confidential client for the client_credentials grant (seeds: no secret given). */
  CIAM_PLAYGROUND_MACHINE_CLIENT_ID: clientId.default("site-playground-machine-ciam"),
  IAM_PLAYGROUND_MACHINE_CLIENT_ID: clientId.default("site-playground-machine-iam"),
  /**
   * The domains' Hydra admin APIs (introspection, reading the playground client's allowed scopes). Used by
   * the Site's server only: never shown on a page or sent to the browser.
   */
  CIAM_HYDRA_ADMIN_URL: httpUrl.default(localCoreUrls("ciam").hydraAdmin),
  IAM_HYDRA_ADMIN_URL: httpUrl.default(localCoreUrls("iam").hydraAdmin),
  /** Scopes the playground asks for; the seeded clients allow exactly these. */
  PLAYGROUND_SCOPE: z.string().trim().min(1).default("openid offline_access email profile"),
});

export interface DomainSettings {
  domain: Domain;
  label: string;
  audience: string;
  /** The issuer identifier as configured; discovery must report the same URL. */
  issuerUrl: string;
  clientId: string;
  /** The confidential client of the client_credentials part. */
  machineClientId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  scope: string;
}

export interface SiteConfig {
  publicUrl: string;
  domains: Record<Domain, DomainSettings>;
  /** Server-side only (kept out of `domains`, which the playground page shows). */
  adminUrls: Record<Domain, string>;
}

/** Thrown when the environment holds a bad value; the message names the variable and what was expected. */
export class SiteConfigError extends Error {
  override name = "SiteConfigError";
}

/** Parses the Site's configuration from an environment; empty variables count as unset. */
export function parseSiteConfig(env: Record<string, string | undefined>): SiteConfig {
  const present = Object.fromEntries(
    Object.keys(siteConfigSchema.shape)
      .map((k) => [k, env[k]?.trim()] as const)
      .filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = siteConfigSchema.safeParse(present);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new SiteConfigError(`invalid Site configuration:\n${issues}`);
  }
  const e = parsed.data;
  const publicUrl = e.SITE_PUBLIC_URL.replace(/\/+$/, "");
  const settings = (domain: Domain, issuerUrl: string, client: string, machine: string): DomainSettings => ({
    domain,
    label: domain === "ciam" ? "CIAM" : "IAM",
    audience: domain === "ciam" ? "customers" : "employees and operators",
    issuerUrl,
    clientId: client,
    machineClientId: machine,
    redirectUri: `${publicUrl}/playground/callback/${domain}`,
    postLogoutRedirectUri: `${publicUrl}/playground`,
    scope: e.PLAYGROUND_SCOPE,
  });
  return {
    publicUrl,
    domains: {
      ciam: settings(
        "ciam",
        e.CIAM_ISSUER_URL,
        e.CIAM_PLAYGROUND_CLIENT_ID,
        e.CIAM_PLAYGROUND_MACHINE_CLIENT_ID,
      ),
      iam: settings("iam", e.IAM_ISSUER_URL, e.IAM_PLAYGROUND_CLIENT_ID, e.IAM_PLAYGROUND_MACHINE_CLIENT_ID),
    },
    adminUrls: {
      ciam: e.CIAM_HYDRA_ADMIN_URL.replace(/\/+$/, ""),
      iam: e.IAM_HYDRA_ADMIN_URL.replace(/\/+$/, ""),
    },
  };
}

let cached: SiteConfig | undefined;

/** The configuration of this process, read from process.env once (at first use, i.e. at run time). */
export function siteConfig(): SiteConfig {
  cached ??= parseSiteConfig(process.env);
  return cached;
}
