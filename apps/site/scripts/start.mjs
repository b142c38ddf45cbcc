#!/usr/bin/env node
// Starts the production (standalone) build of the Site. PORT defaults to 2000 and SITE_HOST to
// 127.0.0.1 (set SITE_HOST=0.0.0.0 in a container). All other configuration is read from the
// environment at run time: see apps/site/README.md.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PORTS } from "@olympus/platform";
import { start } from "@olympus/web/standalone";

await start({
  app: "site",
  appDir: join(dirname(fileURLToPath(import.meta.url)), ".."),
  defaultPort: PORTS.site,
  hostVariable: "SITE_HOST",
});
