// Which identity core an admin command talks to: --admin-url, else the domain's environment
// variable (CIAM_KRATOS_ADMIN_URL, IAM_HYDRA_ADMIN_URL, …), else the ports of the platform
// `octl deploy` runs here, else the local defaults.
import { createDomainClients, type DomainClients, type DomainName, endpointsFromEnv } from "@olympus/sdk";
import { domainEnvName } from "@olympus/platform";
import type { Layout } from "../paths.ts";
import { effectiveState } from "../state.ts";

/** The options every admin command takes. */
export interface AdminOptions {
  domain?: string;
  adminUrl?: string;
  json?: boolean;
}

/** A usage error: printed without a stack, exit code 2. */
export class UsageError extends Error {}

export function domainOf(opts: AdminOptions): DomainName {
  const d = (opts.domain ?? "ciam").toLowerCase();
  if (d !== "ciam" && d !== "iam") throw new UsageError(`--domain must be ciam or iam, not "${opts.domain}"`);
  return d;
}

/** The port a running deployment gave `identity-<domain>`'s `port`, when one runs here. */
function deployedUrl(l: Layout, domain: DomainName, port: "admin" | "oauth2-admin"): string | undefined {
  try {
    const svc = effectiveState(l).state?.services.find((s) => s.name === `identity-${domain}`);
    if (!svc || svc.status === "stopped" || svc.status === "failed") return undefined;
    const p = svc.ports.find((x) => x.name === port)?.port;
    return p ? `http://127.0.0.1:${p}` : undefined;
  } catch {
    return undefined;
  }
}

/** The SDK clients for the chosen domain, with its Kratos and Hydra admin URLs resolved. */
export function adminClients(
  l: Layout,
  opts: AdminOptions,
  api: "identity" | "oauth2",
): { clients: DomainClients; url: string; domain: DomainName } {
  const domain = domainOf(opts);
  const endpoints = endpointsFromEnv(domain);
  const fromEnv = (key: "kratosAdmin" | "hydraAdmin") => process.env[domainEnvName(domain, key)];
  if (opts.adminUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(opts.adminUrl);
    } catch {
      throw new UsageError(`--admin-url is not a URL: ${opts.adminUrl}`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new UsageError(`--admin-url must be http(s): ${opts.adminUrl}`);
    }
  }
  const pick = (key: "kratosAdmin" | "hydraAdmin", port: "admin" | "oauth2-admin", fallback: string) =>
    (api === (key === "kratosAdmin" ? "identity" : "oauth2") ? opts.adminUrl : undefined) ??
    fromEnv(key) ??
    deployedUrl(l, domain, port) ??
    fallback;
  endpoints.adminUrl = pick("kratosAdmin", "admin", endpoints.adminUrl).replace(/\/$/, "");
  endpoints.oauth2AdminUrl = pick("hydraAdmin", "oauth2-admin", endpoints.oauth2AdminUrl).replace(/\/$/, "");
  return {
    clients: createDomainClients(endpoints),
    url: api === "identity" ? endpoints.adminUrl : endpoints.oauth2AdminUrl,
    domain,
  };
}
