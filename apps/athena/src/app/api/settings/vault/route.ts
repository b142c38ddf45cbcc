import { z } from "zod";
import { jsonBody, ok, route } from "@/lib/api";
import { listVault, putVault } from "@/lib/core/security";

export const dynamic = "force-dynamic";

/** The domain's settings vault; secret values are always masked. */
export const GET = route("read", async () => ok({ rows: await listVault() }));

const body = z.object({
  key: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,127}$/, "keys are 1-128 characters of a-z, 0-9, '.', '_' and '-'"),
  value: z.json().refine((v) => v !== undefined && v !== null, "value is required"),
  secret: z.boolean().optional(),
  category: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, "categories are 1-64 characters of a-z, 0-9, '.', '_' and '-'")
    .optional(),
});

/** Sets one value (`{key, value, secret?, category?}`); the core encrypts secrets and audits the change. */
export const PUT = route("write", async ({ req }) => {
  const { key, ...input } = await jsonBody(req, body);
  return ok(await putVault(key, input));
});
