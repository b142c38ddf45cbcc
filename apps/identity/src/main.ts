#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/index.ts";
import { openDatabase } from "./db/client.ts";
import { startCore } from "./app/server.ts";

const USAGE = `usage: identity <serve|migrate> [--config <file>]

  serve     start the identity core (applies migrations unless --no-migrate)
  migrate   apply database migrations and exit

The config file may also be given as OLYMPUS_CONFIG. Every key can be overridden by an
environment variable named after its path, e.g. SELFSERVICE_FLOWS_LOGIN_UI_URL.`;

function parseOptions() {
  return parseArgs({
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      "no-migrate": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions();
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command] = parsed.positionals;
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (command !== "serve" && command !== "migrate") {
    console.error(`${command ? `unknown command "${command}"` : "missing command"}\n\n${USAGE}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(parsed.values.config ?? process.env.OLYMPUS_CONFIG);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 78;
    }
    throw e;
  }
  if (command === "migrate") {
    const db = await openDatabase(config.dsn);
    await db.migrate();
    await db.close();
    console.log("migrations applied");
    return 0;
  }
  const core = await startCore(config, { migrate: !parsed.values["no-migrate"] });
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      core.ctx.log.info("shutting down", { signal });
      void core.stop().then(resolve);
    };
    process.once("SIGTERM", () => shutdown("SIGTERM"));
    process.once("SIGINT", () => shutdown("SIGINT"));
  });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
