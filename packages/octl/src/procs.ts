// Process and process-group helpers. Every supervised service runs in a process group of its own
// (spawned detached), so stopping a service means signalling the whole group: its grandchildren go
// with it.
import { readdirSync, readFileSync } from "node:fs";

const hasProc = (() => {
  try {
    readFileSync("/proc/self/stat");
    return true;
  } catch {
    return false;
  }
})();

interface ProcStat {
  state: string;
  pgrp: number;
  startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: parse after its last ')'.
    const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { state: rest[0]!, pgrp: Number(rest[2]), startTime: rest[19]! };
  } catch {
    return undefined;
  }
}

function validPid(pid: unknown): pid is number {
  return typeof pid === "number" && Number.isInteger(pid) && pid > 1;
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number | null | undefined): boolean {
  if (!validPid(pid)) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  if (!hasProc) return true;
  const st = readStat(pid);
  return st !== undefined && st.state !== "Z" && st.state !== "X";
}

/** An opaque token that changes when a pid is reused (Linux: start time in clock ticks). */
export function startToken(pid: number): string | undefined {
  return hasProc ? readStat(pid)?.startTime : undefined;
}

/** Is `pid` alive and still the process we recorded (same start token, when one was recorded)? */
export function isSameProcess(pid: number | null | undefined, token: string | null | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (!token || !hasProc) return true;
  return startToken(pid as number) === token;
}

/** Live (non-zombie) members of a process group. */
export function groupMembers(pgid: number): number[] {
  if (!validPid(pgid)) return [];
  if (!hasProc) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const st = readStat(pid);
    if (st && st.pgrp === pgid && st.state !== "Z" && st.state !== "X") out.push(pid);
  }
  return out;
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!validPid(pgid)) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  if (!validPid(pid)) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `done` until it is true or `timeoutMs` passes; returns its last value. */
export async function waitUntil(done: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * SIGTERM to the group, SIGKILL to whatever is left of it after `timeoutMs`. Resolves once no
 * member remains (or a last grace period after SIGKILL ran out); "killed" tells SIGKILL was needed.
 */
export async function terminateGroup(
  pgid: number,
  timeoutMs: number,
): Promise<"gone" | "terminated" | "killed"> {
  if (groupMembers(pgid).length === 0) return "gone";
  signalGroup(pgid, "SIGTERM");
  if (await waitUntil(() => groupMembers(pgid).length === 0, timeoutMs, 50)) return "terminated";
  signalGroup(pgid, "SIGKILL");
  await waitUntil(() => groupMembers(pgid).length === 0, 3_000, 50);
  return "killed";
}
