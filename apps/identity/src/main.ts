#!/usr/bin/env -S npx tsx
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/index.ts";
import { openDatabase } from "./db/client.ts";
import { createLogger } from "./app/logger.ts";
import { ListenError, startCore } from "./app/server.ts";
import { warmUpStrength } from "./selfservice/password/strength.ts";
import { parseDuration } from "./config/duration.ts";
import { startSmsSink } from "./courier/sms-sink.ts";

const USAGE = `usage: identity <serve|migrate> [--config <file>] [--shutdown-timeout <duration>]
       identity sms-sink [--port <port>] [--host <address>] [--data <file>]

  serve     start the identity core (applies migrations unless --no-migrate)
  migrate   apply database migrations and exit
  sms-sink  run the SMS sink: takes the courier's \`sms\` channel requests and shows them
            at /api/sms (development and tests; it sends nothing anywhere)

On SIGTERM or SIGINT the core stops accepting connections, finishes the requests in flight,
delivers the mail that is due and exits 0; past --shutdown-timeout (default 10s, or
OLYMPUS_SHUTDOWN_TIMEOUT) it cuts what is left and exits 1. A second signal exits 1 at once.

The config file may also be given as OLYMPUS_CONFIG. Every key can be overridden by an
environment variable named after its path, e.g. SELFSERVICE_FLOWS_LOGIN_UI_URL.`;

/** Exit code when the shutdown deadline passed, or a second signal came, before the core had stopped. */
const EXIT_FORCED = 1;

function parseOptions() {
  return parseArgs({
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      "no-migrate": { type: "boolean" },
      "shutdown-timeout": { type: "string" },
      help: { type: "boolean", short: "h" },
      port: { type: "string" },
      host: { type: "string" },
      data: { type: "string" },
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
  if (command === "sms-sink") return runSmsSink(parsed.values);
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
  const rawTimeout = parsed.values["shutdown-timeout"] ?? process.env.OLYMPUS_SHUTDOWN_TIMEOUT ?? "10s";
  const shutdownMs = /^\d+$/.test(rawTimeout) ? Number(rawTimeout) : parseDuration(rawTimeout);
  if (shutdownMs === undefined) {
    console.error(`--shutdown-timeout: expected a duration such as "10s", got "${rawTimeout}"`);
    return 2;
  }
  const log = createLogger(config.log.level, { domain: config.domain });
  let core: Awaited<ReturnType<typeof startCore>>;
  try {
    core = await startCore(config, { migrate: !parsed.values["no-migrate"], log });
  } catch (e) {
    if (e instanceof ListenError) {
      // startCore has already stopped the workers it started and closed the database.
      log.error("identity core could not start", { error: e.message, endpoint: e.endpoint, port: e.port });
      return 1;
    }
    // A program the configuration names (a Jsonnet mapper or hook body) that cannot be read or parsed.
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 78;
    }
    throw e;
  }
  // The password estimator's dictionaries load in the background, not in the first sign-up.
  if (config.selfservice.methods.password.config.min_password_score > 0) warmUpStrength();
  // Until here a signal ends the process the default way; from now on it starts a graceful stop.
  return new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        log.error("second signal during shutdown: exiting now", { signal });
        return resolve(EXIT_FORCED);
      }
      stopping = true;
      const started = Date.now();
      log.info("shutting down", { signal, deadline_ms: shutdownMs });
      // The backstop: whatever hangs (a request, a worker, the pool), the process ends soon after the deadline.
      const backstop = setTimeout(() => {
        log.error("shutdown deadline exceeded: exiting", { deadline_ms: shutdownMs });
        resolve(EXIT_FORCED);
      }, shutdownMs + 2_000);
      void core.stop(shutdownMs).then(
        (clean) => {
          clearTimeout(backstop);
          if (clean) {
            log.info("shut down", { ms: Date.now() - started });
            resolve(0);
          } else {
            log.error("shutdown deadline exceeded: requests still in flight were cut", {
              deadline_ms: shutdownMs,
            });
            resolve(EXIT_FORCED);
          }
        },
        (e) => {
          clearTimeout(backstop);
          log.error("shutdown failed", { error: String(e) });
          resolve(EXIT_FORCED);
        },
      );
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
  });
}

/** `identity sms-sink`: runs until SIGTERM or SIGINT. */
async function runSmsSink(values: { port?: string; host?: string; data?: string }): Promise<number> {
  const port = Number(values.port ?? 5435);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port: expected a port number, got "${values.port}"`);
    return 2;
  }
  const sink = await startSmsSink({ port, host: values.host, file: values.data });
  console.log(`SMS sink listening on ${sink.url}/api/sms`);
  return new Promise<number>((resolve) => {
    const stop = () => void sink.close().then(() => resolve(0));
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
