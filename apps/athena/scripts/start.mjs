#!/usr/bin/env node
// Starts the production (standalone) build of Athena for one domain. PORT defaults to 3001 for CIAM
// and 4001 for IAM, ATHENA_HOST to 127.0.0.1 (set 0.0.0.0 in a container). Everything else is read
// from the environment at run time: see apps/athena/README.md.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PORTS } from "@olympus/platform";
import { start } from "@olympus/web/standalone";

await start({
  app: "athena",
  appDir: join(dirname(fileURLToPath(import.meta.url)), ".."),
  defaultPort: PORTS[process.env.OLYMPUS_DOMAIN === "iam" ? "iam" : "ciam"].athena,
  hostVariable: "ATHENA_HOST",
});
