// `octl deploy --compose`: the same platform as containers, from deploy/compose, when this machine
// has a container engine (Docker or Podman with compose). Without one it says so and exits non-zero.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Layout } from "../paths.ts";

/** The first engine whose daemon answers and that has compose: ["docker", "compose"] or ["podman", "compose"]. */
export function findComposeEngine(): string[] | undefined {
  for (const engine of ["docker", "podman"]) {
    const info = spawnSync(engine, ["info"], { stdio: "ignore", timeout: 15_000 });
    if (info.error || info.status !== 0) continue;
    const compose = spawnSync(engine, ["compose", "version"], { stdio: "ignore", timeout: 15_000 });
    if (!compose.error && compose.status === 0) return [engine, "compose"];
  }
  return undefined;
}

export function composeDeploy(l: Layout, opts: { detach?: boolean }, engine = findComposeEngine()): number {
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
  const [cmd, ...sub] = engine;
  const args = [
    ...sub,
    "-f",
    join(dir, "compose.yml"),
    "up",
    "--build",
    "--wait",
    ...(opts.detach ? ["-d"] : []),
  ];
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const up = spawnSync(cmd!, args, { stdio: "inherit", cwd: l.root });
  return up.status ?? 1;
}
