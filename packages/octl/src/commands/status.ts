import type { Layout } from "../paths.ts";
import { loadManifest, manifestPath, planDeploy } from "../plan.ts";
import { ago, formatPorts, table } from "../format.ts";
import { effectiveState, type ServiceState, type ServiceStatus } from "../state.ts";

/** One service in `octl status --json`. */
export interface StatusEntry {
  name: string;
  status: ServiceStatus;
  pid: number | null;
  /** The first port (the main one); every port is in `ports`. */
  port: number | null;
  ports: { name: string; port: number }[];
  url: string | null;
  restarts: number;
  lastExitCode: number | null;
  error: string | null;
}

function entry(s: ServiceState): StatusEntry {
  return {
    name: s.name,
    status: s.status,
    pid: s.pid,
    port: s.ports[0]?.port ?? null,
    ports: s.ports,
    url: s.url,
    restarts: s.restarts,
    lastExitCode: s.lastExitCode,
    error: s.error,
  };
}

/** The services of the last deploy; before any deploy, the manifest's, all stopped. */
async function services(l: Layout, manifestFlag: string | undefined): Promise<ServiceState[]> {
  const { state } = effectiveState(l);
  if (state) return state.services;
  try {
    const m = await loadManifest(manifestPath(manifestFlag), l.root);
    return planDeploy(m.services, { layout: l, manifestDir: m.dir }).map((s) => ({
      name: s.name,
      description: s.description,
      status: "stopped",
      pid: null,
      pidToken: null,
      ports: s.ports,
      url: s.url,
      urls: s.urls,
      credentials: s.credentials,
      restarts: 0,
      lastExitCode: null,
      lastSignal: null,
      error: null,
      startedAt: null,
      healthyAt: null,
      logFile: "",
    }));
  } catch {
    return [];
  }
}

export async function statusCommand(l: Layout, opts: { json?: boolean; manifest?: string }): Promise<number> {
  const list = await services(l, opts.manifest);
  if (opts.json) {
    console.log(JSON.stringify(list.map(entry), null, 2));
    return 0;
  }
  const { state, supervisor } = effectiveState(l);
  const rows = [["SERVICE", "STATUS", "PID", "PORTS", "URL", "RESTARTS", "UP"]];
  for (const s of list) {
    rows.push([
      s.name,
      s.status,
      s.pid ? String(s.pid) : "-",
      formatPorts(s),
      s.url ?? "-",
      s.restarts ? `${s.restarts} (last exit ${s.lastSignal ?? s.lastExitCode ?? "-"})` : "0",
      s.pid && s.startedAt ? ago(s.startedAt) : "-",
    ]);
  }
  console.log(table(rows));
  const problems = list.filter((s) => s.error && s.status !== "healthy");
  for (const s of problems) console.log(`\n${s.name}: ${s.error}`);
  if (supervisor !== undefined && state) {
    console.log(
      `\nSupervisor pid ${supervisor} (${state.mode}), ${state.phase}, up ${ago(state.startedAt)}.`,
    );
  } else if (list.some((s) => s.pid)) {
    console.log("\nThe supervisor is gone but some services still run: `octl down` stops them.");
  } else {
    console.log("\nOlympus is not running. Start it with `pnpm octl deploy` (or `npm start`).");
  }
  return 0;
}
