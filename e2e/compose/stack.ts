// The compose stack as a user runs it: `octl deploy --compose --detach` brings deploy/compose up (on
// a machine without a registry, with the images deploy/container/images.sh built: .ci/run exports
// their names), and compose takes it down. Compose v2 or Debian's docker-compose 1.x, whichever
// octl finds.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const file = join(root, "deploy/compose/compose.yml");

export function run(cmd: string, args: string[], input?: string): { code: number; output: string } {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", input, timeout: 15 * 60_000 });
  return { code: r.status ?? 1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** The compose command line: `docker compose` when the v2 plugin answers, else docker-compose. */
function composeCommand(): string[] {
  return run("docker", ["compose", "version"]).code === 0 ? ["docker", "compose"] : ["docker-compose"];
}

export function compose(args: string[]): { code: number; output: string } {
  const [cmd, ...sub] = composeCommand();
  return run(cmd!, [...sub, "-f", file, "-p", "olympus", ...args]);
}

export function octl(args: string[]): { code: number; output: string } {
  return run(process.execPath, ["--import", "tsx", join(root, "packages/octl/src/bin.ts"), ...args]);
}

/** `octl deploy --compose --detach`; throws with its output when it fails. */
export function deployCompose(): string {
  const up = octl(["deploy", "--compose", "--detach"]);
  if (up.code !== 0) {
    const logs = compose(["logs", "--no-color", "--tail", "40"]).output;
    throw new Error(`octl deploy --compose failed (exit ${up.code}):\n${up.output}\n${logs}`);
  }
  return up.output;
}

/** The id of a service's (first) container. */
export function containerOf(service: string): string {
  const id = compose(["ps", "-q", service]).output.trim().split("\n")[0];
  if (!id) throw new Error(`no container for ${service}`);
  return id;
}

/** Runs an ES module in a service's container (inside the stack's network namespace); returns its stdout. */
export function runIn(service: string, script: string): string {
  const r = spawnSync("docker", ["exec", "-i", containerOf(service), "node", "--input-type=module", "-"], {
    cwd: root,
    encoding: "utf8",
    input: script,
    timeout: 120_000,
  });
  if (r.status !== 0)
    throw new Error(`script in ${service} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
