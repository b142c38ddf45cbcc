// The baseline every figure is divided by: a bare hono JSON endpoint on @hono/node-server,
// the same HTTP stack the identity core uses, with no database and no work.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.get("/json", (c) => c.json({ status: "ok", id: "00000000-0000-4000-8000-000000000000" }));
const port = Number(process.argv[2] ?? 0);
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port }, (info) => {
  process.stdout.write(`${JSON.stringify({ ready: true, port: info.port })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
