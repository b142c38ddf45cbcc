#!/usr/bin/env node
// Starts the production (standalone) build of the Site. PORT defaults to 2000 and SITE_HOST to
// 127.0.0.1 (set SITE_HOST=0.0.0.0 in a container). All other configuration is read from the
// environment at run time: see apps/site/README.md.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const app = join(dirname(fileURLToPath(import.meta.url)), "..");
const server = join(app, ".next/standalone/apps/site/server.js");
if (!existsSync(server)) {
  console.error("[site] no production build: run `pnpm --filter @olympus/site build` first");
  process.exit(1);
}
if (!existsSync(join(app, ".next/standalone/apps/site/.next/static"))) {
  await import(pathToFileURL(join(app, "scripts/standalone-assets.mjs")).href);
}
process.env.PORT ||= "2000";
// Next's standalone server binds to HOSTNAME, which shells often set to the machine's name.
process.env.HOSTNAME = process.env.SITE_HOST || "127.0.0.1";
process.env.NODE_ENV = "production";
await import(pathToFileURL(server).href);
