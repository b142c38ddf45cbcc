#!/usr/bin/env node
// `next build` leaves .next/static (and public/) out of the standalone output; the standalone server
// serves them only when they sit beside it. Run after every build.
import { cpSync, existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const app = join(dirname(fileURLToPath(import.meta.url)), "..");
const standalone = join(app, ".next/standalone/apps/athena");
if (!existsSync(join(standalone, "server.js"))) {
  console.error(`[athena] no standalone server at ${standalone}: was output: "standalone" built?`);
  process.exit(1);
}
for (const [from, to] of [
  [join(app, ".next/static"), join(standalone, ".next/static")],
  [join(app, "public"), join(standalone, "public")],
]) {
  if (!existsSync(from)) continue;
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}
