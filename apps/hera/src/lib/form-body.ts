/**
 * Reads a POST body sent by a plain HTML form (urlencoded or multipart) or by script (JSON) into
 * one shape: repeated form fields become arrays, as JSON arrays already are.
 */
export async function readForm(request: Request): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    try {
      const body = (await request.json()) as unknown;
      return body && typeof body === "object" && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
    const form = await request.formData();
    const out: Record<string, unknown> = {};
    for (const key of new Set(form.keys())) {
      const values = form.getAll(key).filter((v): v is string => typeof v === "string");
      out[key] = values.length > 1 ? values : values[0];
    }
    return out;
  }
  return {};
}

/** Whether the caller is script that wants JSON back (elements' consent form) rather than a page. */
export function wantsJson(request: Request): boolean {
  return (
    (request.headers.get("content-type") ?? "").includes("application/json") ||
    (request.headers.get("accept") ?? "").startsWith("application/json")
  );
}
