// One identity core for bench/src/db-gate.ts, started from the sources: `gate-core.ts <dsn> <on|off>`.
// With "off" the database availability gate is removed (the state before issue 24's change), so the
// gate's cost is measured against the same code, in the same run. Prints one JSON line when ready.
import { fileURLToPath } from "node:url";
import { openDatabase, parseConfig, startCore } from "@olympus/identity";

const [dsn, mode] = process.argv.slice(2);
if (!dsn || (mode !== "on" && mode !== "off")) {
  console.error("usage: gate-core.ts <dsn> <on|off>");
  process.exit(2);
}
const schema = fileURLToPath(new URL("../../seeds/ciam/schemas/default.schema.json", import.meta.url));
const config = parseConfig({
  domain: "bench",
  dsn,
  serve: { public: { port: 0 }, admin: { port: 0 } },
  oauth2: { serve: { public: { port: 0 }, admin: { port: 0 } } },
  selfservice: {
    default_browser_return_url: "http://localhost:4455/",
    flows: { verification: { enabled: false } },
    methods: { password: { config: { haveibeenpwned_enabled: false } } },
  },
  identity: { default_schema_id: "default", schemas: [{ id: "default", url: schema }] },
  courier: { worker: { enabled: false } },
  secrets: { cipher: ["bench-cipher-key-0123456789abcde"], cookie: ["bench-cookie-secret-0123456789"] },
  security: { rate_limit: { enabled: false } },
  log: { level: "error" },
} as never);
const database = await openDatabase(config.dsn);
if (mode === "off") {
  database.availability?.stop();
  delete database.availability;
}
const core = await startCore(config, { database });
process.stdout.write(
  `${JSON.stringify({ ready: true, publicUrl: core.publicUrl, adminUrl: core.adminUrl })}\n`,
);
process.on("SIGTERM", () => {
  void core.stop(2_000).then(() => process.exit(0));
});
