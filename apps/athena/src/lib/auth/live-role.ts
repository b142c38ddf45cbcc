import "server-only";
import { athenaEnv } from "../env";
import { type IamPrincipal, principalOf } from "./principal";

export { type IamPrincipal, principalOf } from "./principal";

/** Reads stay cached this long; writes and sign-ins always ask IAM. */
const READ_TTL_MS = 5_000;
const cache = new Map<string, { at: number; value: IamPrincipal | undefined }>();

/**
 * The administrator as IAM has them now, read through the IAM core's admin API: the role from
 * `metadata_admin.role` (which only the admin API writes), never from a trait or an ID-token claim.
 * Undefined when the identity does not exist; throws when IAM cannot be asked.
 */
export async function fetchIamIdentity(sub: string): Promise<IamPrincipal | undefined> {
  const env = athenaEnv();
  const res = await fetch(`${env.iamKratosAdminUrl}/admin/identities/${encodeURIComponent(sub)}`, {
    headers: { accept: "application/json" },
    cache: "no-store",
    signal: AbortSignal.timeout(5000),
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`IAM admin API answered HTTP ${res.status}`);
  const principal = principalOf(await res.json());
  cache.set(sub, { at: Date.now(), value: principal });
  if (cache.size > 1000) cache.clear();
  return principal;
}

/**
 * The administrator's role as IAM has it now. `fresh` (writes) always asks IAM; reads may use an
 * answer up to a few seconds old. Throws when IAM is unreachable: callers fail closed.
 */
export async function liveRole(
  sub: string,
  opts: { fresh?: boolean } = {},
): Promise<IamPrincipal | undefined> {
  const hit = cache.get(sub);
  if (!opts.fresh && hit && Date.now() - hit.at < READ_TTL_MS) return hit.value;
  return fetchIamIdentity(sub);
}

/** Drops what is cached for an identity (after Athena changed its role or state). */
export function forgetLiveRole(sub: string): void {
  cache.delete(sub);
}
