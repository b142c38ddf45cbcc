import { HttpError, route } from "@/lib/api";
import { AUDIT_CSV_COLUMNS, auditCsvLine, auditExportJson, auditRange, auditRows } from "@/lib/core/security";

export const dynamic = "force-dynamic";

/**
 * The audit log as a download, with the page's filters (`event`, `actor`, `target`, `from`, `to`):
 * `format=csv` or `format=json` (an array, newest first, actors and targets named). Streamed a page
 * of the core's at a time, so a long log is never held whole; at most AUDIT_EXPORT_MAX rows. Readable
 * by whoever may read the audit log (viewers too), as the page is.
 */
export const GET = route("read", async ({ req }) => {
  const p = req.nextUrl.searchParams;
  const format = p.get("format") ?? "csv";
  if (format !== "csv" && format !== "json") {
    throw new HttpError(400, "invalid_format", 'format: "csv" or "json"');
  }
  const range = auditRange(p.get("from"), p.get("to"));
  const rows = auditRows({
    event: p.get("event") || undefined,
    actor: p.get("actor") || undefined,
    target: p.get("target") || undefined,
    ...range,
  });
  // The first page is read before answering, so a refusal of the core (a bad filter) is a clean error.
  const first = await rows.next();
  const encoder = new TextEncoder();
  let n = 0;
  const line = (r: Parameters<typeof auditCsvLine>[0]) =>
    format === "csv" ? auditCsvLine(r) : `${n++ ? "," : ""}\n${JSON.stringify(auditExportJson(r))}`;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(format === "csv" ? `${AUDIT_CSV_COLUMNS.join(",")}\r\n` : "["));
      if (!first.done) controller.enqueue(encoder.encode(first.value.map(line).join("")));
    },
    async pull(controller) {
      if (first.done) {
        if (format === "json") controller.enqueue(encoder.encode("\n]\n"));
        controller.close();
        return;
      }
      const next = await rows.next();
      if (next.done) {
        if (format === "json") controller.enqueue(encoder.encode("\n]\n"));
        controller.close();
      } else {
        controller.enqueue(encoder.encode(next.value.map(line).join("")));
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="audit-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
});
