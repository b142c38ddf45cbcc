import "server-only";
import type { OlympusStats } from "@olympus/sdk";
import { core } from "./clients";
import { attempt, type CoreFailure } from "./errors";
import { listAllClients, summarizeClients } from "./oauth2-clients";

/** Security figures the stats carry once the «Security» work lands; shown only when present. */
export interface SecurityFigures {
  logins_per_day?: { date: string; succeeded: number; failed: number }[];
  lockouts?: { active: number };
}

export type Stats = OlympusStats & { security?: SecurityFigures };

export interface DashboardFigures {
  stats: { ok: true; value: Stats } | { ok: false; error: CoreFailure };
  clients: { ok: true; value: ReturnType<typeof summarizeClients> } | { ok: false; error: CoreFailure };
}

/** Stats and client figures, each failing on its own so one missing API leaves the rest visible. */
export async function dashboardFigures(): Promise<DashboardFigures> {
  const [stats, clients] = await Promise.all([
    attempt(() => core().olympus.stats() as Promise<Stats>),
    attempt(async () => summarizeClients((await listAllClients()).clients)),
  ]);
  return { stats, clients };
}
