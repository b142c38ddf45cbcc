// After the walkthrough: `octl down`, then `octl deploy --detach` again on the same machine reuses
// every build (nothing is rebuilt: the fingerprints taken after the first deploy's builds still
// match) and is ready in under a minute; the last `octl down` leaves no process and no port behind.
// Runs after the walkthrough (a dependent project in playwright.config.ts): it stops the stack.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { deployArgs, octl } from "./stack.ts";

/** What octl builds for the platform: the identity bundle and the three Next apps. */
const BUILDS = ["identity", "hera", "athena", "site"];

interface ServiceState {
  name: string;
  status: string;
  pid: number | null;
  ports: { name: string; port: number }[];
}
interface StackState {
  supervisorPid: number;
  services: ServiceState[];
}

function home(): string {
  const h = process.env.OLYMPUS_HOME;
  if (!h) throw new Error("OLYMPUS_HOME is not set: the walkthrough's global setup sets it");
  return h;
}

function readState(h: string): StackState {
  return JSON.parse(readFileSync(join(h, "state.json"), "utf8")) as StackState;
}

/**
 * Is the process, or any process of its group, still running? A zombie does not count: it has exited
 * and holds nothing, only its exit status until its new parent (init) collects it, a moment later.
 */
function alive(pid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command name (which may hold spaces and parentheses): state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if ((Number(entry) === pid || Number(pgrp) === pid) && state !== "Z" && state !== "X") return true;
  }
  return false;
}

/** Does anything accept connections on the port (IPv4 or IPv6 loopback)? */
async function listening(port: number): Promise<boolean> {
  const probe = (host: string) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.setTimeout(2_000);
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("timeout", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => resolve(false));
    });
  return (await probe("127.0.0.1")) || (await probe("::1"));
}

/** `octl down`, then: no pid left in .olympus, none of the recorded processes alive, no port open. */
async function downAndCheck(h: string): Promise<void> {
  const before = readState(h);
  const pids = [before.supervisorPid, ...before.services.map((s) => s.pid)].filter((p): p is number => !!p);
  const ports = before.services.flatMap((s) => s.ports.map((p) => ({ service: s.name, ...p })));
  expect(pids.length).toBeGreaterThan(before.services.length); // the supervisor and every service ran

  const down = octl(["down"], h);
  expect(down.code, down.output).toBe(0);

  expect(existsSync(join(h, "supervisor.pid"))).toBe(false);
  const after = readState(h);
  expect(after.services.filter((s) => s.pid !== null).map((s) => s.name)).toEqual([]);
  expect(after.services.filter((s) => s.status !== "stopped").map((s) => s.name)).toEqual([]);
  expect(pids.filter(alive)).toEqual([]);
  const open: string[] = [];
  for (const p of ports) if (await listening(p.port)) open.push(`${p.service}.${p.name}=${p.port}`);
  expect(open).toEqual([]);
}

test("a second deploy reuses every build and is ready in under a minute; down leaves nothing running", async () => {
  test.setTimeout(240_000);
  const h = home();
  const logs = join(h, "logs");
  const buildLogs = new Map(BUILDS.map((k) => [k, statSync(join(logs, `build-${k}.log`)).mtimeMs]));

  await downAndCheck(h);

  const started = Date.now();
  const up = octl(deployArgs(), h);
  const seconds = (Date.now() - started) / 1000;
  test.info().annotations.push({ type: "redeploy", description: `ready in ${seconds.toFixed(1)} s` });
  console.log(`octl deploy --detach (builds current): ready in ${seconds.toFixed(1)} s`);
  expect(up.code, up.output).toBe(0);

  // No build ran: octl says every build is current, starts none, and no build log was rewritten.
  for (const key of BUILDS) expect(up.output).toContain(`${key}: build is current`);
  expect(up.output).not.toMatch(/\bbuilding \w/);
  for (const [key, mtime] of buildLogs)
    expect(statSync(join(logs, `build-${key}.log`)).mtimeMs, key).toBe(mtime);

  const services = readState(h).services;
  // Mail catcher, SMS sink, two cores, two Heras, two Athenas and the Site.
  expect(services.length).toBe(9);
  expect(services.filter((s) => s.status !== "healthy").map((s) => `${s.name}: ${s.status}`)).toEqual([]);
  expect(seconds).toBeLessThan(60);

  await downAndCheck(h);
});
