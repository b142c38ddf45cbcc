import "server-only";
import { athenaEnv } from "../env";
import { ROLES, type Role } from "../session/seal";
import type { LiveRole } from "./guard";

const TTL_MS = 15_000;
const cache = new Map<string, { at: number; value: LiveRole }>();

/** Reads an IAM identity's `role` trait through the IAM admin API. */
export async function fetchIamIdentity(
  sub: string,
): Promise<{ role: Role | undefined; active: boolean; email?: string; name?: string } | undefined> {
  const env = athenaEnv();
  const res = await fetch(`${env.iamKratosAdminUrl}/admin/identities/${encodeURIComponent(sub)}`, {
    headers: { accept: "application/json" },
    cache: "no-store",
    signal: AbortSignal.timeout(5000),
  });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`IAM admin API answered HTTP ${res.status}`);
  const identity = (await res.json()) as { state?: string; traits?: Record<string, unknown> };
  const traits = identity.traits ?? {};
  const role = (ROLES as readonly unknown[]).includes(traits.role) ? (traits.role as Role) : undefined;
  const n = traits.name as { first?: string; last?: string } | string | undefined;
  const name = typeof n === "string" ? n : [n?.first, n?.last].filter(Boolean).join(" ");
  return {
    role,
    active: identity.state !== "inactive",
    ...(typeof traits.email === "string" ? { email: traits.email } : {}),
    ...(name ? { name } : {}),
  };
}

/** The administrator's role as IAM has it now (cached for a few seconds). Throws when IAM is unreachable. */
export async function liveRole(sub: string): Promise<LiveRole> {
  const hit = cache.get(sub);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  const found = await fetchIamIdentity(sub);
  const value: LiveRole = found ? { role: found.role, active: found.active } : undefined;
  if (cache.size > 1000) cache.clear();
  cache.set(sub, { at: Date.now(), value });
  return value;
}
