import "server-only";
import type { OlympusStats } from "@olympus/sdk";
import { core } from "./clients";
import { attempt, type CoreFailure } from "./errors";

export interface DashboardFigures {
  stats: { ok: true; value: OlympusStats } | { ok: false; error: CoreFailure };
}

/**
 * Every figure of the dashboard from one aggregate call of the identity core
 * (`GET /admin/olympus/stats`): identities, sessions, verification, courier, sign-ins,
 * lockouts and OAuth2 clients are counted in the database, not here.
 */
export async function dashboardFigures(): Promise<DashboardFigures> {
  return { stats: await attempt(() => core().olympus.stats()) };
}
