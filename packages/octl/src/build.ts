// Production builds of the Next.js apps: built once, reused until their sources change. A build is
// keyed by package (one Hera build serves both domains); its fingerprint hashes the path, size and
// modification time of every source file under its inputs. What builds (and tests, and installs)
// write into those folders is left out, and the fingerprint recorded for a build is taken after it,
// so a deploy right after a build finds it current instead of rebuilding.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import type { Layout } from "./paths.ts";

export interface BuildSpec {
  /** Shared by services built from one package (e.g. "hera" for hera-ciam and hera-iam). */
  key: string;
  /** argv, run from the repo root. */
  command: string[];
  /** Folders and files (relative to the repo root) whose contents decide whether to rebuild. */
  inputs: string[];
  /** What the build produces (relative to the repo root); a missing output forces a build. */
  output: string;
}

/** Folders no source lives in: dependencies, build and test outputs, caches, octl's own state. */
const GENERATED_DIRS = new Set([
  "node_modules",
  ".next",
  ".turbo",
  ".reports",
  "test-results",
  "playwright-report",
  "coverage",
  "dist",
  ".olympus",
  ".git",
]);

/**
 * Files the tools write beside the sources: `next build` (and `next typegen`) rewrite next-env.d.ts
 * every run, `tsc -b`/incremental builds write *.tsbuildinfo, and logs.
 */
export function isGenerated(name: string): boolean {
  return (
    GENERATED_DIRS.has(name) ||
    name === "next-env.d.ts" ||
    name.endsWith(".tsbuildinfo") ||
    name.endsWith(".log")
  );
}

function walk(root: string, path: string, hash: ReturnType<typeof createHash>): void {
  if (!existsSync(path)) return;
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) if (!isGenerated(name)) walk(root, join(path, name), hash);
    return;
  }
  hash.update(`${relative(root, path)}\0${st.size}\0${st.mtimeMs}\n`);
}

/** The fingerprint of a build's inputs (generated files left out). */
export function fingerprint(root: string, spec: BuildSpec): string {
  const hash = createHash("sha256");
  hash.update(spec.command.join(" "));
  for (const input of spec.inputs) walk(root, join(root, input), hash);
  return hash.digest("hex");
}

function stampFile(l: Layout, key: string): string {
  return join(l.home, "builds", `${key}.json`);
}

/** True when the last successful build of this spec is still current. */
export function isFresh(l: Layout, spec: BuildSpec): boolean {
  const file = stampFile(l, spec.key);
  if (!existsSync(file) || !existsSync(join(l.root, spec.output))) return false;
  try {
    return JSON.parse(readFileSync(file, "utf8")).fingerprint === fingerprint(l.root, spec);
  } catch {
    return false;
  }
}

export class BuildError extends Error {
  override name = "BuildError";
  constructor(
    message: string,
    readonly logFile: string,
  ) {
    super(message);
  }
}

/**
 * Runs a build, logging to .olympus/logs/build-<key>.log; on success records the fingerprint of the
 * inputs as the build left them. Taken after the build, it also covers whatever generated file the
 * skip list misses (a tool that rewrites a config file, say), at the price of not noticing a source
 * edited while the build ran (the next edit brings it in, and removing .olympus/builds/<key>.json
 * forces a rebuild).
 */
export async function runBuild(l: Layout, spec: BuildSpec): Promise<void> {
  mkdirSync(join(l.home, "builds"), { recursive: true });
  const logFile = join(l.logs, `build-${spec.key}.log`);
  const log = createWriteStream(logFile, { flags: "w" });
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(spec.command[0]!, spec.command.slice(1), {
      cwd: l.root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once("error", reject);
    child.once("close", (c) => resolve(c ?? 1));
  }).finally(() => log.end());
  if (code !== 0) throw new BuildError(`the build of ${spec.key} failed (exit code ${code})`, logFile);
  if (!existsSync(join(l.root, spec.output))) {
    throw new BuildError(`the build of ${spec.key} did not produce ${spec.output}`, logFile);
  }
  writeFileSync(
    stampFile(l, spec.key),
    JSON.stringify({ fingerprint: fingerprint(l.root, spec), builtAt: new Date().toISOString() }),
  );
}
