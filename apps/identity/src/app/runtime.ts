import type { Config } from "../config/index.ts";

/** Values derived from the configuration once at start. */
export interface Runtime {
  publicBaseUrl: string;
  adminBaseUrl: string;
  sessionCookieName: string;
  csrfCookieName: string;
  cookieSecure: boolean;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

export function deriveRuntime(config: Config): Runtime {
  const pub = config.serve.public;
  const adm = config.serve.admin;
  const publicBaseUrl = withSlash(pub.base_url ?? `http://localhost:${pub.port}/`);
  const adminBaseUrl = withSlash(adm.base_url ?? `http://localhost:${adm.port}/`);
  return {
    publicBaseUrl,
    adminBaseUrl,
    // Cookie names carry the domain: on localhost the browser shares cookies across ports.
    sessionCookieName: config.session.cookie.name ?? `olympus_${config.domain}_session`,
    csrfCookieName: `olympus_${config.domain}_csrf`,
    cookieSecure: config.cookies.secure ?? publicBaseUrl.startsWith("https://"),
  };
}

/** Joins a path onto a base URL that ends with a slash. */
export function urlJoin(base: string, path: string): string {
  return new URL(path.replace(/^\//, ""), base).toString();
}
