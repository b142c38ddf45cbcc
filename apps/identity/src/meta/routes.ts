import type { Hono } from "hono";
import { eq } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import { selfserviceErrors } from "../db/schema.ts";
import { notFound, serviceUnavailable } from "../errors/index.ts";
// Imported, not read from disk at run time: the production bundle (build.mjs) inlines it.
import pkg from "../../package.json" with { type: "json" };

/** The core's version, as released: the `version` of apps/identity/package.json. */
export const VERSION: string = pkg.version;

/** Health, version and identity-schema endpoints; served on both the public and the admin port. */
export function registerMetaRoutes(app: Hono, ctx: AppContext): void {
  app.get("/health/alive", (c) => c.json({ status: "ok" }));
  app.get("/health/ready", async (c) => {
    try {
      await Promise.race([
        ctx.database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000)),
      ]);
    } catch {
      return c.json(serviceUnavailable("The database is not reachable.").toBody(), 503);
    }
    return c.json({ status: "ok" });
  });
  app.get("/version", (c) => c.json({ version: VERSION }));

  app.get("/schemas", (c) => c.json(ctx.schemas.list().map((s) => ({ id: s.id, schema: s.raw }))));
  app.get("/schemas/:id", (c) => {
    const raw = c.req.param("id");
    let schema = ctx.schemas.get(raw);
    if (!schema) {
      const decoded = Buffer.from(raw, "base64url").toString("utf8");
      schema = ctx.schemas.get(decoded);
    }
    if (!schema) throw notFound("The identity schema could not be found.");
    return c.json(schema.raw);
  });

  app.get("/self-service/errors", async (c) => {
    const id = c.req.query("id") ?? "";
    if (id === "stub:500") {
      const now = new Date().toISOString();
      return c.json({
        id,
        error: {
          code: 500,
          status: "Internal Server Error",
          reason: "This is a stub error.",
          message: "An internal server error occurred, please contact the system administrator",
        },
        created_at: now,
        updated_at: now,
      });
    }
    const [row] = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
      ? await ctx.db.select().from(selfserviceErrors).where(eq(selfserviceErrors.id, id)).limit(1)
      : [];
    if (!row) throw notFound("The error could not be found.");
    return c.json({
      id: row.id,
      error: row.error,
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    });
  });
}
