// `octl deploy --compose`: the same platform as containers, from deploy/compose, when this machine
// has a container engine (Docker or Podman with compose). Without one it says so and exits non-zero.
//
// Compose v2 (`docker compose`, `podman compose`) builds the images and waits for health itself
// (`up --build --wait`). Debian's docker-compose 1.x has neither BuildKit builds nor `--wait`: with it
// the images must exist (deploy/container/images.sh builds them, also where no registry is
// reachable) and octl waits for the stack's health checks itself.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Layout } from "../paths.ts";

/** How to run compose here: the command line before `-f …`, and whether it is Compose v2. */
export interface ComposeEngine {
  command: string[];
  v2: boolean;
}

function answers(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: "ignore", timeout: 15_000 });
  return !r.error && r.status === 0;
}

/** The first engine whose daemon answers and that has compose: v2 plugins first, then docker-compose 1.x. */
export function findComposeEngine(): ComposeEngine | undefined {
  for (const engine of ["docker", "podman"]) {
    if (!answers(engine, ["info"])) continue;
    if (answers(engine, ["compose", "version"])) return { command: [engine, "compose"], v2: true };
    if (engine === "docker" && answers("docker-compose", ["version"])) {
      return { command: ["docker-compose"], v2: false };
    }
  }
  return undefined;
}

/** The compose project every octl invocation uses (also COMPOSE_PROJECT_NAME in .env.example). */
export const COMPOSE_PROJECT = "olympus";

/** The arguments that select deploy/compose/compose.yml and the project. */
export function composeFileArgs(l: Layout): string[] {
  return ["-f", join(l.root, "deploy", "compose", "compose.yml"), "-p", COMPOSE_PROJECT];
}

export function composeDeploy(
  l: Layout,
  opts: { detach?: boolean },
  /** null: no engine (tests); by default the one this machine has. */
  engine: ComposeEngine | null = findComposeEngine() ?? null,
  waitMs = 5 * 60_000,
): number {
  if (!engine) {
    console.error(
      "octl deploy --compose: no container engine is running here (tried `docker info` and `podman info`).\n" +
        "Start Docker or Podman (with compose), or run `octl deploy` without --compose: it needs nothing but Node.",
    );
    return 1;
  }
  const dir = join(l.root, "deploy", "compose");
  if (!existsSync(join(dir, ".env"))) {
    const init = spawnSync(process.execPath, [join(dir, "init-env.mjs")], { stdio: "inherit", cwd: l.root });
    if (init.status !== 0) return init.status ?? 1;
  }
  const [cmd, ...sub] = engine.command;
  const args = engine.v2
    ? [...sub, ...composeFileArgs(l), "up", "--build", "--wait", ...(opts.detach ? ["-d"] : [])]
    : [...sub, ...composeFileArgs(l), "up", "-d"];
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const up = spawnSync(cmd!, args, { stdio: "inherit", cwd: l.root });
  if (up.status !== 0 || engine.v2) {
    if (up.status !== 0 && !engine.v2) {
      console.error(
        "octl deploy --compose: docker-compose 1.x cannot build these images (they need BuildKit); build them " +
          "with deploy/container/images.sh (or `docker build`, deploy/README.md) and run this again.",
      );
    }
    return up.status ?? 1;
  }
  return waitForHealth(engine, l, waitMs);
}

interface ContainerState {
  name: string;
  status: string;
  exitCode: number;
  health: string;
}

/** The state of every container of the project (`docker inspect`). */
export function projectContainers(engine: ComposeEngine, l: Layout): ContainerState[] {
  const [cmd, ...sub] = engine.command;
  const ps = spawnSync(cmd!, [...sub, ...composeFileArgs(l), "ps", "-q"], { encoding: "utf8", cwd: l.root });
  const ids = (ps.stdout ?? "").split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  const inspect = spawnSync(
    "docker",
    [
      "inspect",
      "--format",
      "{{.Name}}\t{{.State.Status}}\t{{.State.ExitCode}}\t{{if .State.Health}}{{.State.Health.Status}}{{end}}",
      ...ids,
    ],
    { encoding: "utf8" },
  );
  return (inspect.stdout ?? "")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", status = "", exitCode = "0", health = ""] = line.split("\t");
      return { name: name.replace(/^\//, ""), status, exitCode: Number(exitCode), health };
    });
}

/**
 * What `up --wait` does in Compose v2: every running container healthy (or without a health check),
 * every one-shot exited 0. Returns 0 then, 1 as soon as one failed or at the deadline.
 */
function waitForHealth(engine: ComposeEngine, l: Layout, waitMs: number): number {
  const deadline = Date.now() + waitMs;
  let last = "";
  for (;;) {
    const states = projectContainers(engine, l);
    // A one-shot (migration, seed) is judged by its exit code only: the image's health check ran
    // against it while it worked and may have left it "unhealthy". A running container that is
    // unhealthy may still recover (a slow check on a loaded machine): it is waited for, up to the
    // deadline.
    const failed = states.filter((s) => (s.status === "exited" && s.exitCode !== 0) || s.status === "dead");
    if (failed.length) {
      console.error(
        `octl deploy --compose: ${failed.map((s) => `${s.name} (${s.health || s.status}, exit ${s.exitCode})`).join(", ")} failed; ` +
          "see `docker-compose -f deploy/compose/compose.yml -p olympus logs`.",
      );
      return 1;
    }
    const waiting = states.filter(
      (s) => (s.status === "running" && s.health !== "" && s.health !== "healthy") || s.status === "created",
    );
    if (states.length > 0 && waiting.length === 0) {
      console.log(`octl deploy --compose: ${states.length} containers up, every health check passing.`);
      return 0;
    }
    const now = waiting.map((s) => s.name).join(", ");
    if (now !== last) console.log(`waiting for ${now || "containers"} …`);
    last = now;
    if (Date.now() > deadline) {
      console.error(`octl deploy --compose: not healthy within ${waitMs / 1000} s: ${now}`);
      return 1;
    }
    spawnSync("sleep", ["2"]);
  }
}
