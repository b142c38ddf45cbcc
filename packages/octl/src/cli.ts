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

/** What every identities/clients command takes: which domain, which admin API, which output. */
function adminOptions(cmd: Command): Command {
  return cmd
    .option("--domain <domain>", "ciam or iam", "ciam")
    .option(
      "--admin-url <url>",
      "the admin API to call (default: $CIAM_KRATOS_ADMIN_URL / $CIAM_HYDRA_ADMIN_URL, likewise IAM_…, else the deployed platform's)",
    )
    .option("--json", "print JSON instead of a table");
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

  const identities = program
    .command("identities")
    .description("list, get, create, delete, import and export a domain's identities (Kratos admin API)");
  const clients = program
    .command("clients")
    .description("list, create and delete a domain's OAuth2 clients (Hydra admin API)");
  const ids = () => import("./commands/identities.ts");
  const oauth = () => import("./commands/clients.ts");

  adminOptions(identities.command("list").description("list identities (a page at a time)"))
    .option("--page-size <n>", "identities per page (default 250)")
    .option("--page-token <token>", "the page to show (printed on stderr when there are more)")
    .action((opts) => run(async () => (await ids()).listCommand(layout(), opts)));
  adminOptions(identities.command("get").description("show identities by id"))
    .argument("<id...>", "identity ids")
    .option("--include-credentials", "include the password hash (Kratos' include_credential=password)")
    .action((list: string[], opts) => run(async () => (await ids()).getCommand(layout(), list, opts)));
  adminOptions(identities.command("create").description("create one identity"))
    .option("--schema <id>", "identity schema (default: default)")
    .option("--traits <json>", "the traits, a JSON object")
    .option("--email <address>", "sets traits.email")
    .option("--verified", "mark the email address verified")
    .option("--state <state>", "active or inactive")
    .action((opts) => run(async () => (await ids()).createCommand(layout(), opts)));
  adminOptions(identities.command("delete").description("delete identities and everything they own"))
    .argument("<id...>", "identity ids")
    .action((list: string[], opts) => run(async () => (await ids()).deleteCommand(layout(), list, opts)));
  adminOptions(
    identities
      .command("import")
      .description("import identities from JSON (Kratos' import shape) or CSV files; a report per row"),
  )
    .argument("<file...>", "files to import (- for stdin); .csv files are read as CSV")
    .option("--format <format>", "json or csv (default: by the file's extension)")
    .option(
      "--schema <id>",
      "identity schema for CSV rows without a schema_id column (default: default, else the core's first)",
    )
    .option("--batch-size <n>", "identities per request, 1 to 200 (default 200)")
    .action((files: string[], opts) => run(async () => (await ids()).importCommand(layout(), files, opts)));
  adminOptions(
    identities.command("export").description("export every identity as JSON (import shape) or CSV"),
  )
    .option("--format <format>", "json or csv (default: by the output's extension, else json)")
    .option("-o, --output <file>", "write to this file instead of stdout")
    .option("--include-credentials", "include password hashes (secret: the file is made owner-only)")
    .action((opts) => run(async () => (await ids()).exportCommand(layout(), opts)));

  adminOptions(clients.command("list").description("list OAuth2 clients"))
    .option("--page-size <n>", "clients per page (default 250)")
    .option("--page-token <token>", "the page to show")
    .action((opts) => run(async () => (await oauth()).listClientsCommand(layout(), opts)));
  adminOptions(clients.command("create").description("create an OAuth2 client; prints its secret once"))
    .option("--name <name>", "client name")
    .option("--grant-type <types>", "grant type, repeatable or comma-separated", collect)
    .option("--response-type <types>", "response type, repeatable or comma-separated", collect)
    .option("--scope <scopes>", "scope, repeatable or comma-separated", collect)
    .option("--audience <audiences>", "allowed audience, repeatable or comma-separated", collect)
    .option("--redirect-uri <uris>", "redirect URI, repeatable or comma-separated", collect)
    .option("--post-logout-callback <uris>", "post-logout redirect URI, repeatable", collect)
    .option(
      "--token-endpoint-auth-method <method>",
      "client_secret_basic (default), client_secret_post, private_key_jwt or none",
    )
    .option("--secret <secret>", "use this secret instead of a generated one")
    .action((opts) => run(async () => (await oauth()).createClientCommand(layout(), opts)));
  adminOptions(clients.command("delete").description("delete OAuth2 clients"))
    .argument("<id...>", "client ids")
    .action((list: string[], opts) =>
      run(async () => (await oauth()).deleteClientCommand(layout(), list, opts)),
    );

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
