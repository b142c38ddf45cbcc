// Health check of the Olympus images (Docker HEALTHCHECK; compose passes the URL explicitly).
//
//   node healthcheck.mjs [url]
//
// Without a URL: the identity core's /health/ready on its admin port ($SERVE_ADMIN_PORT, else
// serve.admin.port of $OLYMPUS_CONFIG, else the core's default 4434), or, in the Next.js images
// (no OLYMPUS_CONFIG), the app's /api/health on $PORT. Exits 0 on a 2xx within 4 seconds.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

function identityAdminPort() {
  if (process.env.SERVE_ADMIN_PORT) return process.env.SERVE_ADMIN_PORT;
  try {
    // The yaml package the core reads its configuration with (the working directory is the core's).
    const { parse } = createRequire(join(process.cwd(), "package.json"))("yaml");
    const port = parse(readFileSync(process.env.OLYMPUS_CONFIG, "utf8"))?.serve?.admin?.port;
    if (port) return String(port);
  } catch {
    // No readable config: the core would not start either; probe the default port and fail there.
  }
  return "4434";
}

function target() {
  if (process.argv[2]) return process.argv[2];
  if (process.env.OLYMPUS_CONFIG) return `http://127.0.0.1:${identityAdminPort()}/health/ready`;
  return `http://127.0.0.1:${process.env.PORT || "3000"}/api/health`;
}

const url = target();
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!res.ok) {
    console.error(`${url}: HTTP ${res.status}`);
    process.exit(1);
  }
} catch (err) {
  console.error(`${url}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
