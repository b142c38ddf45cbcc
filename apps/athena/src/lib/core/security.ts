import "server-only";
import type { OlympusAuditEvent, OlympusLockout, OlympusRuntimeSetting, OlympusSetting } from "@olympus/sdk";
import { core } from "./clients";

/*
 * The domain's account security, from the identity core's Olympus admin API: active sign-in locks
 * (unlockable), the audit log, and the settings vault.
 */

export const LOCK_TYPES = ["identifier", "ip", "aal2"] as const;
export type LockType = (typeof LOCK_TYPES)[number];

export interface LockRow {
  type: LockType;
  identifier: string;
  identityId: string | null;
  attempts: number;
  lastIp: string | null;
  lockedUntil: string | null;
}

export function toLockRow(l: OlympusLockout): LockRow {
  return {
    type: l.type,
    identifier: l.identifier,
    identityId: l.identity_id,
    attempts: l.attempts,
    lastIp: l.last_ip_address,
    lockedUntil: l.locked_until,
  };
}

export interface LockPage {
  rows: LockRow[];
  nextToken?: string;
}

/** Active locks (page of 50). */
export async function findLocks(pageToken?: string): Promise<LockPage> {
  const page = await core().olympus.lockoutsPage({
    page_size: 50,
    ...(pageToken ? { page_token: pageToken } : {}),
  });
  return { rows: page.items.map(toLockRow), ...(page.next ? { nextToken: page.next } : {}) };
}

/** Lifts one lock; the core audits it with the administrator named by the request's actor header. */
export async function unlock(identifier: string, type: LockType): Promise<void> {
  await core().olympus.unlock(identifier, { type });
}

export interface AuditQuery {
  /** An event name, or a prefix ending in `.*`. */
  event?: string;
  /** An identity id, "admin" or "anonymous". */
  actor?: string;
  /** What the event is about: an identity id, a setting key… */
  target?: string;
  pageToken?: string;
}

export interface AuditRow {
  id: string;
  event: string;
  actor: string;
  /** The administrator the core recorded for admin actions (`metadata.admin`). */
  admin: string | null;
  target: string | null;
  ip: string | null;
  userAgent: string | null;
  metadata: Record<string, unknown>;
  at: string;
}

export function toAuditRow(e: OlympusAuditEvent): AuditRow {
  const admin = typeof e.metadata?.admin === "string" ? e.metadata.admin : null;
  return {
    id: e.id,
    event: e.event,
    actor: e.actor,
    admin,
    target: e.target,
    ip: e.ip_address,
    userAgent: e.user_agent,
    metadata: e.metadata ?? {},
    at: e.created_at,
  };
}

export interface AuditPage {
  rows: AuditRow[];
  nextToken?: string;
}

export const AUDIT_PAGE_SIZE = 50;

/** One page of the audit log, newest first. */
export async function findAudit(q: AuditQuery): Promise<AuditPage> {
  const page = await core().olympus.auditPage({
    page_size: AUDIT_PAGE_SIZE,
    ...(q.event?.trim() ? { event: q.event.trim() } : {}),
    ...(q.actor?.trim() ? { actor: q.actor.trim() } : {}),
    ...(q.target?.trim() ? { target: q.target.trim() } : {}),
    ...(q.pageToken ? { page_token: q.pageToken } : {}),
  });
  return { rows: page.items.map(toAuditRow), ...(page.next ? { nextToken: page.next } : {}) };
}

export interface VaultRow {
  key: string;
  /** The value as JSON text; secrets are only ever "********" here. */
  value: string;
  secret: boolean;
  category: string;
  updatedAt: string;
}

export const MASK = "********";

export function toVaultRow(s: OlympusSetting): VaultRow {
  return {
    key: s.key,
    // The core masks secrets; Athena masks again, so no code path can show one in clear.
    value: s.secret ? MASK : JSON.stringify(s.value),
    secret: s.secret,
    category: s.category,
    updatedAt: s.updated_at,
  };
}

/** Every vault setting, secrets masked. */
export async function listVault(): Promise<VaultRow[]> {
  return (await core().olympus.settings()).map(toVaultRow);
}

/** Sets one vault value (the core encrypts secrets at rest and audits the change). */
export async function putVault(
  key: string,
  input: { value: unknown; secret?: boolean; category?: string },
): Promise<VaultRow> {
  return toVaultRow(await core().olympus.putSetting(key, input));
}

/** Vault keys the core applies to its running configuration (captcha, lockout, breached passwords). */
export const LIVE_KEYS = [
  "captcha.enabled",
  "captcha.site_key",
  "captcha.secret_key",
  "security.brute_force.max_attempts",
  "security.brute_force.ip_max_attempts",
  "security.brute_force.lockout_duration_seconds",
  "security.brute_force.window_seconds",
  "security.breached_password.mode",
];

/** The run-time settings, typed and explained by the core (secrets masked). */
export async function listRuntimeSettings(): Promise<OlympusRuntimeSetting[]> {
  return core().olympus.runtimeSettings();
}

/** Deletes one vault value: a run-time setting goes back to the configuration file's value. */
export async function deleteVault(key: string): Promise<void> {
  await core().olympus.deleteSetting(key);
}
