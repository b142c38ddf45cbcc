// @ts-check
// Next's standalone output (`output: "standalone"`, outputFileTracingRoot the repository root) puts
// the server at .next/standalone/apps/<app>/server.js. `next build` leaves .next/static and public/
// out of it, and the standalone server serves them only when they sit beside it: copyAssets puts
// them there (after every build); start runs the server with its port and bind address.
import { cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger, routeConsole } from "./log.mjs";

/** @param {string} appDir @param {string} app */
const standaloneDir = (appDir, app) => join(appDir, ".next/standalone/apps", app);

/**
 * Copies .next/static and public/ beside the standalone server. Exits the process with 1 when there
 * is no standalone build.
 * @param {{ app: string; appDir: string }} o
 */
export function copyAssets({ app, appDir }) {
  const standalone = standaloneDir(appDir, app);
  if (!existsSync(join(standalone, "server.js"))) {
    console.error(`[${app}] no standalone server at ${standalone}: was output: "standalone" built?`);
    process.exit(1);
  }
  for (const [from, to] of [
    [join(appDir, ".next/static"), join(standalone, ".next/static")],
    [join(appDir, "public"), join(standalone, "public")],
  ]) {
    if (!existsSync(from)) continue;
    rmSync(to, { recursive: true, force: true });
    cpSync(from, to, { recursive: true });
  }
}

/**
 * Starts the standalone server of `app` in this process: PORT defaults to `defaultPort`, the bind
 * address is `$<hostVariable>` or 127.0.0.1 (Next's server binds to HOSTNAME, which shells often
 * set to the machine's name), NODE_ENV is production, and console output is JSON lines.
 * @param {{ app: string; appDir: string; defaultPort: number; hostVariable: string }} o
 */
export async function start({ app, appDir, defaultPort, hostVariable }) {
  const server = join(standaloneDir(appDir, app), "server.js");
  if (!existsSync(server)) {
    console.error(`[${app}] no production build: run \`pnpm --filter @olympus/${app} build\` first`);
    process.exit(1);
  }
  if (!existsSync(join(standaloneDir(appDir, app), ".next/static"))) copyAssets({ app, appDir });
  process.env.PORT ||= String(defaultPort);
  process.env.HOSTNAME = process.env[hostVariable] || "127.0.0.1";
  process.env.NODE_ENV = "production";
  // JSON lines from Next's first line on (its start banner comes before the app's instrumentation).
  routeConsole(createLogger(app));
  await import(pathToFileURL(server).href);
}
