#!/usr/bin/env node
// `next build` leaves .next/static (and public/) out of the standalone output; the standalone server
// serves them only when they sit beside it. Run after every build.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyAssets } from "@olympus/web/standalone";

copyAssets({ app: "athena", appDir: join(dirname(fileURLToPath(import.meta.url)), "..") });
