#!/usr/bin/env node
// Starts the production (standalone) build of Athena for one domain. PORT defaults to 3001 for CIAM
// and 4001 for IAM, ATHENA_HOST to 127.0.0.1 (set 0.0.0.0 in a container). Everything else is read
// from the environment at run time: see apps/athena/README.md.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const app = join(dirname(fileURLToPath(import.meta.url)), "..");
const server = join(app, ".next/standalone/apps/athena/server.js");
if (!existsSync(server)) {
  console.error("[athena] no production build: run `pnpm --filter @olympus/athena build` first");
  process.exit(1);
}
if (!existsSync(join(app, ".next/standalone/apps/athena/.next/static"))) {
  await import(pathToFileURL(join(app, "scripts/standalone-assets.mjs")).href);
}
process.env.PORT ||= process.env.OLYMPUS_DOMAIN === "iam" ? "4001" : "3001";
// Next's standalone server binds to HOSTNAME, which shells often set to the machine's name.
process.env.HOSTNAME = process.env.ATHENA_HOST || "127.0.0.1";
process.env.NODE_ENV = "production";
await import(pathToFileURL(server).href);
