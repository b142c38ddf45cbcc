#!/usr/bin/env node
// The README's two commands land here: `npm start` (install + octl deploy) and `npm test`
// (install + the whole test suite). Only Node 20 is assumed; pnpm is installed when missing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pnpmVersion = pkg.packageManager.split("@")[1];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function hasPnpm() {
  const r = spawnSync("pnpm", ["--version"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim().startsWith("10.");
}

/** Returns the command prefix that runs pnpm 10. */
function ensurePnpm() {
  if (hasPnpm()) return ["pnpm"];
  console.log(`[olympus] installing pnpm@${pnpmVersion} …`);
  if (run("npm", ["install", "--global", `pnpm@${pnpmVersion}`]) === 0 && hasPnpm()) return ["pnpm"];
  return ["npx", "--yes", `pnpm@${pnpmVersion}`];
}

let pnpmCommand;
function pnpm(args, opts) {
  pnpmCommand ??= ensurePnpm();
  const [cmd, ...pre] = pnpmCommand;
  return run(cmd, [...pre, ...args], opts);
}

/**
 * The Jsonnet evaluator (@hanazuki/node-jsonnet) is compiled from C++ by `pnpm install` (once per
 * machine; pnpm's store keeps the build): g++, make and cmake must be there. As root with apt (Debian,
 * Ubuntu, CI) they are installed when missing; elsewhere the message says what to install.
 */
function ensureBuildTools() {
  if (process.platform !== "linux") return;
  const has = (tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0;
  const missing = ["g++", "make", "cmake"].filter((t) => !has(t));
  if (!missing.length) return;
  if (process.getuid?.() === 0 && has("apt-get")) {
    console.log(
      `[olympus] installing ${missing.join(", ")} (the Jsonnet evaluator is compiled at install) …`,
    );
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    if (run("apt-get", ["update", "-qq"], { env }) === 0)
      run("apt-get", ["install", "-y", "-qq", ...missing], { env });
    return;
  }
  console.log(
    `[olympus] ${missing.join(", ")} not found: the Jsonnet evaluator is compiled at install; install them first (Debian/Ubuntu: sudo apt-get install g++ make cmake)`,
  );
}

function install() {
  ensureBuildTools();
  const status = pnpm(["install", "--frozen-lockfile", "--prefer-offline", "--reporter=append-only"]);
  if (status !== 0) process.exit(status);
}

/** Every workspace package folder (apps/*, packages/*, e2e, bench). */
function packageDirs() {
  const dirs = ["apps", "packages"].flatMap((d) =>
    existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : [],
  );
  return [...dirs, join(root, "e2e"), join(root, "bench")];
}

/** Sums the JSON reports every package's vitest run writes into .reports/. */
function summarise() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const flaky = [];
  for (const dir of packageDirs()) {
    const reports = join(dir, ".reports");
    if (!existsSync(reports)) continue;
    for (const name of readdirSync(reports).filter((f) => f.endsWith(".json"))) {
      const r = JSON.parse(readFileSync(join(reports, name), "utf8"));
      passed += r.numPassedTests ?? 0;
      failed += r.numFailedTests ?? 0;
      skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      // Playwright's summaries: tests that passed only on a retry.
      flaky.push(...(r.flakyTests ?? []));
    }
  }
  return { passed, failed, skipped, flaky };
}

const [command, ...rest] = process.argv.slice(2);
install();
if (command === "deploy") {
  process.exit(pnpm(["exec", "tsx", "packages/octl/src/bin.ts", "deploy", ...rest]));
} else if (command === "test") {
  for (const dir of packageDirs()) {
    const rep = join(dir, ".reports");
    if (existsSync(rep) && statSync(rep).isDirectory()) rmSync(rep, { recursive: true, force: true });
  }
  // Lint and type-check first: a formatting or type error fails the run like a failed test.
  const lint = pnpm(["exec", "biome", "check", "."]);
  const types = pnpm(["exec", "turbo", "run", "typecheck", "--concurrency=1", "--continue"]);
  const status = pnpm(["exec", "turbo", "run", "test", "--concurrency=1", "--continue", ...rest]);
  const { passed, failed, skipped, flaky } = summarise();
  console.log(`\n${passed} passed, ${flaky.length} flaky, ${failed} failed, ${skipped} skipped`);
  for (const name of flaky) console.log(`  flaky: ${name}`);
  if (lint !== 0) console.log("lint (biome check .) failed");
  if (types !== 0) console.log("typecheck failed");
  process.exit(status !== 0 ? status : failed > 0 || lint !== 0 || types !== 0 ? 1 : 0);
} else {
  console.error("usage: node scripts/bootstrap.mjs <deploy|test> [args…]");
  process.exit(2);
}
