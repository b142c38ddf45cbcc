import { z } from "zod";
import { jsonBody, ok, route } from "@/lib/api";
import { setDefaultSchema } from "@/lib/core/schemas";

export const dynamic = "force-dynamic";

const body = z.object({ id: z.string().min(1).max(64) });

/** Sets the schema new identities get (`{id}`); identities keep theirs. Audited by the core. */
export const PUT = route("write", async ({ req }) => {
  const { id } = await jsonBody(req, body);
  await setDefaultSchema(id);
  return ok({ id });
});
