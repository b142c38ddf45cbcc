import "server-only";
import { createDomainClients, type DomainClients, ResponseError } from "@olympus/sdk";
import { fetchWithRequestId } from "@olympus/web/log";
import { headers } from "next/headers";
import { heraEnv } from "./env";

/**
 * The domain's APIs, as the server sees them: the core's public API directly (not through the
 * proxy), the admin APIs on their private ports. `cookie` forwards the browser's cookies; every call
 * carries the X-Request-Id of the request being served, so the core's log line names Hera's id.
 */
export function clients(cookie?: string): DomainClients {
  const env = heraEnv();
  return createDomainClients(
    {
      publicUrl: env.kratosPublicUrl,
      adminUrl: env.kratosAdminUrl,
      // Hera never calls the OAuth2 public API; the admin one accepts login/consent/logout.
      oauth2PublicUrl: env.hydraAdminUrl,
      oauth2AdminUrl: env.hydraAdminUrl,
    },
    {
      headers: { accept: "application/json", ...(cookie ? { cookie } : {}) },
      fetchApi: fetchWithRequestId(fetch),
    },
  );
}

/** The browser's Cookie header as received. */
export async function browserCookie(): Promise<string> {
  return (await headers()).get("cookie") ?? "";
}

/** The HTTP status of an SDK error, or undefined for anything else (network errors, bugs). */
export function statusOf(err: unknown): number | undefined {
  if (err instanceof ResponseError) return err.response.status;
  if (err && typeof err === "object" && "response" in err) {
    const status = (err as { response?: { status?: unknown } }).response?.status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

/** The signed-in session, or undefined when there is none (401/403 from whoami). */
export async function currentSession(cookie?: string) {
  const jar = cookie ?? (await browserCookie());
  if (!jar) return undefined;
  try {
    return await clients(jar).frontend.toSession({ cookie: jar });
  } catch (err) {
    const status = statusOf(err);
    if (status === 401 || status === 403) return undefined;
    throw err;
  }
}

/**
 * Whether the core lets people delete their own accounts on this domain (off for a workforce: the
 * company owns an employee's account). The core is the authority; when it cannot say, nothing is offered.
 */
export async function deletionOffered(): Promise<boolean> {
  try {
    return (await clients().olympus.selfService()).settings.delete_account.enabled;
  } catch {
    return false;
  }
}
