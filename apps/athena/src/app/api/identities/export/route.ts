import { exportIdentities, identitiesToCsv } from "@olympus/sdk";
import { route } from "@/lib/api";
import { core } from "@/lib/core/clients";

export const dynamic = "force-dynamic";

/**
 * Every identity of this domain as a download: JSON in Kratos' import shape, or CSV (`?format=csv`).
 * Administrators only (a bulk copy of every address is more than a viewer needs); no credentials —
 * password hashes are exported with `octl identities export --include-credentials`, never to a browser.
 */
export const GET = route("write", async ({ req }) => {
  const csv = req.nextUrl.searchParams.get("format") === "csv";
  const items = await exportIdentities(core().identity);
  const stamp = new Date().toISOString().slice(0, 10);
  const body = csv
    ? identitiesToCsv(items)
    : `${JSON.stringify(
        items.map((i) => i.body),
        null,
        2,
      )}\n`;
  return new Response(body, {
    headers: {
      "content-type": csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="identities-${stamp}.${csv ? "csv" : "json"}"`,
      "cache-control": "no-store",
    },
  });
});
