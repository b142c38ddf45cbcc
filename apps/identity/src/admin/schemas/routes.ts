import type { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { badRequest, conflict, notFound } from "../../errors/index.ts";
import { readBody } from "../../http/request.ts";
import { applyStoredSchemas, storeDefaultSchema, storeSchema } from "../../identity/stored-schemas.ts";
import { adminActor } from "../../audit/admin-audit.ts";
import { audit } from "../../audit/audit.ts";

/*
 * Identity schemas at run time (Olympus-only; Kratos reads them from its configuration only):
 *   GET  /admin/olympus/identity-schemas            every schema: id, default, source (config|api), schema
 *   POST /admin/olympus/identity-schemas            `{id, schema}`: adds one, checked first (400 + pointers)
 *   PUT  /admin/olympus/identity-schemas/default    `{id}`: the schema new identities get
 * A schema is never changed or removed (identities keep their schema_id): a new version is a new id.
 * The public /schemas and /schemas/{id} serve added schemas as they serve the configuration's.
 */

const MAX_SCHEMA_BYTES = 64 * 1024;
const schemaId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "ids are 1-64 characters of a-z, 0-9, '.', '_' and '-'");
const createBody = z.object({ id: schemaId, schema: z.record(z.string(), z.unknown()) });
const defaultBody = z.object({ id: z.string().min(1).max(64) });

export function registerAdminSchemaRoutes(admin: Hono, ctx: AppContext): void {
  const wire = async () => {
    const stored = new Map((await applyStoredSchemas(ctx)).map((s) => [s.id, s.createdAt]));
    return ctx.schemas.list().map((s) => ({
      id: s.id,
      default: s.id === ctx.schemas.defaultId,
      source: ctx.schemas.fromConfig(s.id) ? "config" : "api",
      created_at: stored.get(s.id)?.toISOString() ?? null,
      schema: s.raw,
    }));
  };

  admin.get("/olympus/identity-schemas", async (c) => c.json(await wire()));

  admin.post("/olympus/identity-schemas", async (c) => {
    const parsed = createBody.safeParse(await readBody(c));
    if (!parsed.success) {
      throw badRequest(
        parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "),
      );
    }
    const { id, schema } = parsed.data;
    if (Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES) {
      throw badRequest("The schema exceeds 64 KiB.");
    }
    await applyStoredSchemas(ctx);
    if (ctx.schemas.get(id)) {
      throw conflict(
        `A schema with id "${id}" exists; schemas never change: add the new version under a new id.`,
      );
    }
    const problems = ctx.schemas.check(schema);
    if (problems.length) {
      throw badRequest(`The schema is not a valid identity schema: ${problems.slice(0, 20).join("; ")}`, {
        details: { problems },
      });
    }
    if (!(await storeSchema(ctx, id, schema))) {
      throw conflict(
        `A schema with id "${id}" exists; schemas never change: add the new version under a new id.`,
      );
    }
    await applyStoredSchemas(ctx);
    const who = adminActor(c);
    await audit(ctx, c, {
      event: "admin.identity_schemas.create",
      actor: who.actor,
      target: id,
      metadata: who.metadata,
    });
    return c.json(
      (await wire()).find((s) => s.id === id),
      201,
    );
  });

  admin.put("/olympus/identity-schemas/default", async (c) => {
    const parsed = defaultBody.safeParse(await readBody(c));
    if (!parsed.success) throw badRequest('Send {"id": "<schema id>"}.');
    await applyStoredSchemas(ctx);
    const { id } = parsed.data;
    if (!ctx.schemas.get(id)) throw notFound(`No identity schema with id "${id}".`);
    const previous = ctx.schemas.defaultId;
    await storeDefaultSchema(ctx, id);
    await applyStoredSchemas(ctx);
    const who = adminActor(c);
    await audit(ctx, c, {
      event: "admin.identity_schemas.default",
      actor: who.actor,
      target: id,
      metadata: { ...who.metadata, previous },
    });
    return c.json((await wire()).find((s) => s.id === id));
  });
}
