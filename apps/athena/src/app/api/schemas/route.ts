import { z } from "zod";
import { jsonBody, ok, route } from "@/lib/api";
import { addSchema } from "@/lib/core/schemas";

export const dynamic = "force-dynamic";

const body = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "ids are 1-64 characters of a-z, 0-9, '.', '_' and '-'"),
  schema: z.record(z.string(), z.unknown()),
});

/**
 * Adds an identity schema version (`{id, schema}`). The core checks it (JSON Schema, traits, Kratos'
 * extension) and answers 400 with where it is wrong; a taken id is 409. Audited by the core.
 */
export const POST = route("write", async ({ req }) => {
  const { id, schema } = await jsonBody(req, body);
  await addSchema(id, schema);
  return ok({ id }, 201);
});
