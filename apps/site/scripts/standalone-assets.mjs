#!/usr/bin/env node
// `next build` leaves .next/static (and public/) out of the standalone output; the standalone server
// serves them only when they sit beside it. Run after every build.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyAssets } from "@olympus/web/standalone";

const app = join(dirname(fileURLToPath(import.meta.url)), "..");
copyAssets({ app: "site", appDir: app });
if (!existsSync(join(app, ".next/standalone/docs/_nav.json"))) {
  console.error(
    "[site] warning: docs/ was not traced into the standalone output; set OLYMPUS_DOCS_DIR at run time",
  );
}
