import { existsSync } from "node:fs";
import type { Layout } from "../paths.ts";
import { groupMembers, isAlive, isSameProcess, signalProcess, terminateGroup, waitUntil } from "../procs.ts";
import { readPidFile, readState, removePidFile, runningSupervisor, writeState } from "../state.ts";

export interface DownResult {
  /** Was a supervisor (or a process it left behind) running? */
  wasRunning: boolean;
  supervisorPid: number | undefined;
  /** Services whose processes had to be stopped by `down` itself (supervisor gone or stuck). */
  swept: string[];
}

/**
 * Stops the supervisor (SIGTERM; it stops its services) and then makes sure no service process
 * group it recorded is left (SIGTERM, then SIGKILL). Safe to call when nothing runs.
 */
export async function downStack(l: Layout, timeoutMs = 30_000): Promise<DownResult> {
  const result: DownResult = { wasRunning: false, supervisorPid: undefined, swept: [] };
  const supervisor = runningSupervisor(l);
  if (supervisor !== undefined) {
    result.wasRunning = true;
    result.supervisorPid = supervisor;
    const pf = readPidFile(l);
    const st0 = readState(l);
    const token = pf?.pid === supervisor ? pf.token : st0?.supervisorToken;
    const gone = () => !isSameProcess(supervisor, token);
    signalProcess(supervisor, "SIGTERM");
    if (!(await waitUntil(gone, timeoutMs, 100))) {
      signalProcess(supervisor, "SIGKILL");
      await waitUntil(gone, 3_000, 50);
    }
  }
  // Whatever the supervisor did not (or could not) stop.
  const state = readState(l);
  if (state) {
    for (const s of state.services) {
      if (!s.pid) continue;
      // A live leader must be the very process we started (pid reuse); with the leader gone, members
      // left in its group can only be its descendants (a pid is never reused while its group lives).
      const leaderOurs = isSameProcess(s.pid, s.pidToken);
      const orphansOnly = !isAlive(s.pid) && groupMembers(s.pid).length > 0;
      if (leaderOurs || orphansOnly) {
        result.wasRunning = true;
        result.swept.push(s.name);
        await terminateGroup(s.pid, 5_000);
      }
    }
    if (runningSupervisor(l) === undefined) {
      writeState(l, {
        ...state,
        phase: state.phase === "failed" ? "failed" : "stopped",
        updatedAt: new Date().toISOString(),
        services: state.services.map((s) => ({
          ...s,
          status: s.status === "failed" ? "failed" : "stopped",
          pid: null,
          pidToken: null,
        })),
      });
    }
  }
  if (existsSync(l.pidFile) && runningSupervisor(l) === undefined) removePidFile(l);
  return result;
}

export async function downCommand(l: Layout, opts: { timeout?: string }): Promise<number> {
  const timeoutMs = opts.timeout ? Number(opts.timeout) * 1000 : 30_000;
  const r = await downStack(l, timeoutMs);
  if (!r.wasRunning) {
    console.log("Nothing is running.");
    return 0;
  }
  if (r.supervisorPid !== undefined)
    console.log(`Stopped the supervisor (pid ${r.supervisorPid}) and its services.`);
  if (r.swept.length) console.log(`Stopped leftover processes of: ${r.swept.join(", ")}.`);
  if (runningSupervisor(l) !== undefined) {
    console.error("The supervisor is still running; try again, or kill it by hand.");
    return 1;
  }
  return 0;
}
