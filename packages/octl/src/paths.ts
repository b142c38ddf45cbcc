import { existsSync, mkdirSync } from "node:fs";
import { privateTree, restrictUmask } from "@olympus/identity/private-dir";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export { privateTree, restrictUmask };

/** Walks up from `start` to the folder holding `pnpm-workspace.yaml`. */
export function findRepoRoot(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The monorepo root: found from this package's own location first, then from the working directory. */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return findRepoRoot(here) ?? findRepoRoot(process.cwd()) ?? process.cwd();
}

/** Where octl keeps its state, logs and data. */
export interface Layout {
  root: string;
  home: string;
  logs: string;
  data: string;
  stateFile: string;
  pidFile: string;
  supervisorLog: string;
}

/** `.olympus/` at the repo root, or `OLYMPUS_HOME` when set. */
export function layout(env: NodeJS.ProcessEnv = process.env): Layout {
  const root = repoRoot();
  return layoutAt(root, env["OLYMPUS_HOME"] ? resolve(env["OLYMPUS_HOME"]) : join(root, ".olympus"));
}

/** The layout of a state directory `home` for the repository at `root`. */
export function layoutAt(root: string, home: string): Layout {
  return {
    root,
    home,
    logs: join(home, "logs"),
    data: join(home, "data"),
    stateFile: join(home, "state.json"),
    pidFile: join(home, "supervisor.pid"),
    supervisorLog: join(home, "logs", "supervisor.log"),
  };
}

/**
 * The state directory holds databases (password hashes, sessions), caught mail and logs: only this
 * account may read it. Folders 0700, files 0600 — what exists is fixed here, and the umask makes
 * everything octl and its services create from now on private too (children inherit it).
 */
export function ensureLayout(l: Layout): void {
  restrictUmask();
  for (const dir of [l.home, l.logs, l.data]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  privateTree(l.logs);
  privateTree(l.data);
  // The home folder itself and its files (state, secrets, pid); builds/ is behind the 0700 folder.
  privateTree(l.home, 1);
}

/** A service's data folder: created private, or made private when an older octl left it open. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  privateTree(dir);
}

export function serviceLog(l: Layout, name: string): string {
  return join(l.logs, `${name}.log`);
}
