import { defaultImportSchema, identitiesFromCsv, identitiesFromJson, importIdentities } from "@olympus/sdk";
import { HttpError, ok, route } from "@/lib/api";
import { withActorHeader } from "@/lib/core/actor";
import { core } from "@/lib/core/clients";
import { athenaEnv } from "@/lib/env";

export const dynamic = "force-dynamic";

/** An import file's size limit: 10 MB is tens of thousands of identities. */
const MAX_BYTES = 10 * 1024 * 1024;

/**
 * Imports identities from an uploaded file (multipart field `file`; JSON in Kratos' import shape, or
 * CSV by its name or `format=csv`) through the core's batch create; answers a report per row.
 */
export const POST = route("write", async ({ req }) => {
  if (!(req.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
    throw new HttpError(415, "unsupported_media_type", "Upload the file as multipart/form-data.");
  }
  const form = await req.formData().catch(() => {
    throw new HttpError(400, "bad_form", "The upload could not be read.");
  });
  const file = form.get("file");
  if (!(file instanceof File) || file.size === 0)
    throw new HttpError(400, "no_file", "Choose a file to import.");
  if (file.size > MAX_BYTES) throw new HttpError(413, "too_large", "The file is larger than 10 MB.");
  const csv = form.get("format") === "csv" || file.name.toLowerCase().endsWith(".csv");
  const schema = form.get("schema");
  const text = await file.text();
  const adminUrl = athenaEnv().kratosAdminUrl;
  let rows: Awaited<ReturnType<typeof identitiesFromCsv>>;
  try {
    rows = csv
      ? await identitiesFromCsv(text, {
          defaultSchemaId:
            typeof schema === "string" && schema ? schema : await defaultImportSchema(core().identity),
          schemaFor: async (id) => (await core().identity.getIdentitySchema({ id })) as unknown,
        })
      : identitiesFromJson(text);
  } catch (e) {
    throw new HttpError(400, "bad_file", `${file.name}: ${(e as Error).message}`);
  }
  // The batch names the administrator to the core's audit log, as the SDK calls do.
  const results = await importIdentities(adminUrl, rows, {
    fetchApi: (input, init) => fetch(input, { ...withActorHeader(input, init), cache: "no-store" }),
  });
  const created = results.filter((r) => r.status === "created").length;
  return ok({ created, failed: results.length - created, results });
});
