import { existsSync, readdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { Layout } from "../paths.ts";
import { runningSupervisor } from "../state.ts";
import { downStack } from "./down.ts";

/** What octl itself puts in its state directory. */
const OWN = ["logs", "data", "state.json", "supervisor.pid"];
/** Build records (build.ts): kept by a reset. */
const KEEP = "builds";

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/**
 * `octl reset`: wipes the state directory (databases, mail, logs, state). Asks first unless --yes;
 * refuses while the platform runs unless --down (which stops it first).
 */
export async function resetCommand(l: Layout, opts: { yes?: boolean; down?: boolean }): Promise<number> {
  const home = resolve(l.home);
  if (home === "/" || home === resolve(homedir()) || home === resolve(l.root)) {
    console.error(`octl reset: refusing to wipe ${home}; point OLYMPUS_HOME at a directory of its own`);
    return 1;
  }
  if (!existsSync(home)) {
    console.log(`Nothing to reset: ${home} does not exist.`);
    return 0;
  }
  const running = runningSupervisor(l);
  if (running !== undefined && !opts.down) {
    console.error(
      `Olympus is running (supervisor pid ${running}). Stop it first with \`octl down\`, or run \`octl reset --down\`.`,
    );
    return 1;
  }
  if (!opts.yes) {
    if (!process.stdin.isTTY) {
      console.error("octl reset: this deletes every database, mail and log; pass --yes to confirm");
      return 1;
    }
    const ok = await confirm(`Delete ${home} (databases, caught mail, logs, state)? [y/N] `);
    if (!ok) {
      console.log("Nothing was deleted.");
      return 1;
    }
  }
  if (running !== undefined || opts.down) {
    const r = await downStack(l);
    if (r.wasRunning) console.log("Stopped the running platform.");
  }
  // The default .olympus/ is octl's alone: remove everything but the build records (they describe
  // builds that live in the apps, not data, and keeping them spares the next deploy a full rebuild).
  // A custom OLYMPUS_HOME: only what octl put there.
  if (basename(home) === ".olympus") {
    for (const entry of readdirSync(home)) {
      if (entry !== KEEP) rmSync(join(home, entry), { recursive: true, force: true });
    }
  } else {
    for (const entry of OWN) rmSync(join(home, entry), { recursive: true, force: true });
    if (readdirSync(home).length === 0) rmSync(home, { recursive: true, force: true });
  }
  console.log(`Reset: ${home} wiped.`);
  return 0;
}
