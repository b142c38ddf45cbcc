import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { layout } from "./paths.ts";

/** octl's version, from its package.json (no build step rewrites it). */
export const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

// Commands are loaded when run: `octl status` need not load the deploy progress UI.
const deploy = () => import("./commands/deploy.ts");

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Exit code for usage errors (unknown command, bad flag, missing argument). */
export const USAGE_EXIT = 2;

function deployOptions(cmd: Command): Command {
  return cmd
    .option(
      "--only <services>",
      "start only these services (comma-separated; their dependencies too)",
      collect,
    )
    .option(
      "--manifest <file>",
      "services manifest to use instead of the built-in one (env OLYMPUS_MANIFEST)",
    )
    .option(
      "--port <service.port=number>",
      "override a port, e.g. --port mailcatcher.http=15434 (repeatable; env OLYMPUS_PORTS)",
      collect,
    )
    .option("--timeout <seconds>", "how long each service may take to become healthy (default 60)")
    .option(
      "--database-url <url>",
      "use this PostgreSQL server (postgres://…) instead of embedded PGlite; one database per domain is created",
    );
}

export function createProgram(setExitCode: (code: number) => void): Command {
  const program = new Command("octl")
    .description(
      "Olympus platform CLI: runs every service as a supervised process.\n" +
        "State, logs and data live in .olympus/ at the repo root (or $OLYMPUS_HOME).",
    )
    .version(VERSION, "-V, --version", "print octl's version")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });

  const run = async (fn: () => Promise<number>) => setExitCode(await fn());

  deployOptions(
    program
      .command("deploy")
      .description("start every service, wait until all are healthy, print URLs and demo credentials")
      .option("-d, --detach", "keep running in the background and return once everything is healthy")
      .option("--compose", "run deploy/compose with a container engine (Docker or Podman) instead"),
  ).action((opts) =>
    run(async () =>
      opts.compose
        ? (await import("./commands/compose.ts")).composeDeploy(layout(), opts)
        : (await deploy()).deployCommand(layout(), opts),
    ),
  );

  program
    .command("status")
    .description("show what runs and whether it is healthy")
    .option(
      "--json",
      "machine-readable: [{ name, status, pid, port, ports, url, restarts, lastExitCode, error }]",
    )
    .option("--manifest <file>", "manifest to list when nothing has been deployed yet")
    .action((opts) => run(async () => (await import("./commands/status.ts")).statusCommand(layout(), opts)));

  program
    .command("logs")
    .description("print a service's log (every service's when none is named; `supervisor` for octl's own)")
    .argument("[service]", "service name, or supervisor")
    .option("-f, --follow", "keep printing what is appended")
    .option("-n, --lines <count>", "how many lines to print first", "100")
    .action((service: string | undefined, opts) =>
      run(async () => (await import("./commands/logs.ts")).logsCommand(layout(), service, opts)),
    );

  program
    .command("down")
    .description("stop the supervisor and every service (idempotent)")
    .option("--timeout <seconds>", "how long to wait for a clean stop before killing", "30")
    .action((opts) => run(async () => (await import("./commands/down.ts")).downCommand(layout(), opts)));

  program
    .command("seed")
    .description("apply seeds/ (demo identities, OAuth2 clients) to the running platform again; idempotent")
    .action(() => run(async () => (await import("./commands/seed.ts")).seedCommand(layout())));

  program
    .command("reset")
    .description("wipe .olympus/ (databases, caught mail, logs, state) after confirmation")
    .option("-y, --yes", "do not ask for confirmation")
    .option("--down", "stop the platform first if it runs (reset refuses otherwise)")
    .action((opts) => run(async () => (await import("./commands/reset.ts")).resetCommand(layout(), opts)));

  deployOptions(
    program
      .command("supervise", { hidden: true })
      .description("the supervisor process `deploy` starts (internal)")
      .option("--attach <pid>", "foreground: stop everything when this octl process is gone"),
  ).action((opts) => run(async () => (await deploy()).superviseCommand(layout(), opts)));

  return program;
}

/** Runs octl with `argv` (as in process.argv); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = createProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else is a usage error.
      return err.exitCode === 0 ? 0 : USAGE_EXIT;
    }
    throw err;
  }
  return code;
}
