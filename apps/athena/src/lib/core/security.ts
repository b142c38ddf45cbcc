import "server-only";
import type { OlympusAuditEvent, OlympusLockout, OlympusRuntimeSetting, OlympusSetting } from "@olympus/sdk";
import { HttpError } from "../api";
import { core } from "./clients";
import { displayName, primaryIdentifier, UUID_RE } from "./identity-view";

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
  /** ISO instants: events at or after `since` and before `until`. */
  since?: string;
  until?: string;
  pageToken?: string;
}

/** Who an identity id stands for in the audit log: its name and sign-in address. */
export interface Named {
  name: string;
  address: string;
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
  /** The actor and the target by name and address, when they are identities of this domain. */
  actorNamed?: Named;
  targetNamed?: Named;
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

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` day (UTC) as the instant it starts; a bad day is a 400 on its field. */
function dayStart(field: string, day: string, plusDays = 0): string {
  const at = DAY_RE.test(day) ? new Date(`${day}T00:00:00.000Z`) : new Date(Number.NaN);
  // `2026-02-31` parses to March: a day that does not round-trip is not a day.
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== day) {
    throw new HttpError(400, "invalid_date", `${field}: not a date (YYYY-MM-DD)`, {
      fields: { [field]: "Not a date (YYYY-MM-DD)." },
    });
  }
  return new Date(at.getTime() + plusDays * 86_400_000).toISOString();
}

/**
 * The date range of the audit filters (`from`, `to`: whole UTC days, both included) as the core's
 * `since`/`until`; a range that ends before it starts is a 400.
 */
export function auditRange(from?: string | null, to?: string | null): { since?: string; until?: string } {
  const f = from?.trim() || undefined;
  const t = to?.trim() || undefined;
  const since = f ? dayStart("from", f) : undefined;
  // The core's `until` is inclusive: the last millisecond of the `to` day.
  const until = t ? new Date(Date.parse(dayStart("to", t, 1)) - 1).toISOString() : undefined;
  if (since && until && until < since) {
    throw new HttpError(400, "invalid_range", "to: the range ends before it starts", {
      fields: { to: "The range ends before it starts." },
    });
  }
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

function auditFilter(q: AuditQuery) {
  return {
    ...(q.event?.trim() ? { event: q.event.trim() } : {}),
    ...(q.actor?.trim() ? { actor: q.actor.trim() } : {}),
    ...(q.target?.trim() ? { target: q.target.trim() } : {}),
    ...(q.since ? { since: q.since } : {}),
    ...(q.until ? { until: q.until } : {}),
  };
}

/** Names and addresses of the identity ids among `ids` (unknown or deleted ones are left out). */
export async function nameIdentities(ids: Iterable<string>): Promise<Map<string, Named>> {
  const wanted = [...new Set([...ids].filter((id) => UUID_RE.test(id)).map((id) => id.toLowerCase()))];
  const named = new Map<string, Named>();
  for (let i = 0; i < wanted.length; i += 100) {
    const batch = wanted.slice(i, i + 100);
    const found = await core().identity.listIdentities({ ids: batch, pageSize: batch.length });
    for (const identity of found) {
      const address = primaryIdentifier(identity);
      named.set(identity.id, { name: displayName(identity) || address, address });
    }
  }
  return named;
}

/** Rows with their actor and target named (one lookup for the whole page). */
async function withNames(rows: AuditRow[]): Promise<AuditRow[]> {
  const names = await nameIdentities(rows.flatMap((r) => [r.actor, r.target ?? ""]));
  return rows.map((r) => {
    const actorNamed = names.get(r.actor.toLowerCase());
    const targetNamed = r.target ? names.get(r.target.toLowerCase()) : undefined;
    return { ...r, ...(actorNamed ? { actorNamed } : {}), ...(targetNamed ? { targetNamed } : {}) };
  });
}

/** One page of the audit log, newest first, actors and targets named. */
export async function findAudit(q: AuditQuery): Promise<AuditPage> {
  const page = await core().olympus.auditPage({
    page_size: AUDIT_PAGE_SIZE,
    ...auditFilter(q),
    ...(q.pageToken ? { page_token: q.pageToken } : {}),
  });
  const rows = await withNames(page.items.map(toAuditRow));
  return { rows, ...(page.next ? { nextToken: page.next } : {}) };
}

/** The most rows one export carries; a bigger log is exported a date range at a time. */
export const AUDIT_EXPORT_MAX = 100_000;

/** Every row matching the filters, newest first, a page of 1000 at a time (named), up to the cap. */
export async function* auditRows(q: AuditQuery): AsyncGenerator<AuditRow[]> {
  let token: string | undefined;
  let sent = 0;
  do {
    const page = await core().olympus.auditPage({
      page_size: 1000,
      ...auditFilter(q),
      ...(token ? { page_token: token } : {}),
    });
    const rows = page.items.slice(0, AUDIT_EXPORT_MAX - sent).map(toAuditRow);
    sent += rows.length;
    if (rows.length) yield await withNames(rows);
    token = page.next;
  } while (token && sent < AUDIT_EXPORT_MAX);
}

/** An audit row as the JSON export writes it (the core's field names, plus the names). */
export function auditExportJson(r: AuditRow): Record<string, unknown> {
  return {
    id: r.id,
    created_at: r.at,
    event: r.event,
    actor: r.actor,
    actor_name: r.actorNamed?.name ?? r.admin ?? null,
    actor_address: r.actorNamed?.address ?? null,
    target: r.target,
    target_name: r.targetNamed?.name ?? null,
    target_address: r.targetNamed?.address ?? null,
    ip_address: r.ip,
    user_agent: r.userAgent,
    metadata: r.metadata,
  };
}

export const AUDIT_CSV_COLUMNS = [
  "created_at",
  "event",
  "actor",
  "actor_name",
  "actor_address",
  "target",
  "target_name",
  "target_address",
  "ip_address",
  "user_agent",
  "metadata",
  "id",
] as const;

/**
 * One CSV cell (RFC 4180 quoting). A value a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
 * tab or CR first) is prefixed with `'`: traits and user agents are written by users.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One audit row as a CSV line (with its CRLF). */
export function auditCsvLine(r: AuditRow): string {
  const j = auditExportJson(r);
  return `${AUDIT_CSV_COLUMNS.map((c) => csvCell(j[c])).join(",")}\r\n`;
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
