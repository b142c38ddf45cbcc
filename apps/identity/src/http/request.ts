import type { Context } from "hono";
import { badRequest, OryError } from "../errors/index.ts";
import { JsonDecodeError, MAX_JSON_DEPTH, parseJson } from "./json.ts";

/**
 * Decodes a JSON request body (nesting bounded, see json.ts); a body that is not JSON or nests too
 * deep is a 400 in the Ory shape whose reason starts with `prefix`.
 */
export function decodeJsonBody(text: string, prefix: string): unknown {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonDecodeError) throw badRequest(`${prefix}: ${e.message}`);
    throw e;
  }
}

/**
 * Kratos decides JSON vs browser-redirect answers this way: JSON when Accept negotiates to
 * application/json (browsers offer text/html first) or when the body is JSON.
 */
export function isJsonRequest(c: Context): boolean {
  const ct = c.req.header("content-type") ?? "";
  if (ct.toLowerCase().startsWith("application/json")) return true;
  const accept = c.req.header("accept");
  if (!accept) return false;
  let best: { type: string; q: number; order: number } | undefined;
  const offers = ["text/html", "text/*", "*/*", "application/json"];
  accept.split(",").forEach((part, order) => {
    const [rawType, ...params] = part.trim().split(";");
    const type = (rawType ?? "").trim().toLowerCase();
    const qParam = params.find((p) => p.trim().startsWith("q="));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    if (!offers.includes(type) || Number.isNaN(q) || q <= 0) return;
    // Exact types beat wildcards at equal q.
    const specificity = type === "*/*" ? 0 : type.endsWith("/*") ? 1 : 2;
    const score = q * 10 + specificity;
    if (!best || score > best.q * 10 + (best.type === "*/*" ? 0 : best.type.endsWith("/*") ? 1 : 2)) {
      best = { type, q, order };
    }
  });
  return best?.type === "application/json";
}

function setNested(target: Record<string, unknown>, key: string, value: unknown) {
  const parts = key.split(".");
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    if (part === "__proto__" || part === "constructor" || part === "prototype") return;
    const next = cur[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (last === "__proto__" || last === "constructor" || last === "prototype") return;
  cur[last] = value;
}

const unsupported = () =>
  new OryError(415, "The request content type is not supported", {
    reason: "Expected a body of type application/json or application/x-www-form-urlencoded.",
  });

/**
 * Reads a JSON or form body into an object. Form keys with dots (`traits.email`) become nested
 * objects, as Kratos decodes them; a field sent twice keeps its last value.
 */
export async function readBody(c: Context): Promise<Record<string, unknown>> {
  const ct = (c.req.header("content-type") ?? "").toLowerCase();
  if (ct.startsWith("application/json")) {
    const text = await c.req.text();
    if (text.trim() === "") return {};
    const parsed = decodeJsonBody(text, "Unable to decode JSON payload");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw badRequest("Unable to decode JSON payload: expected a JSON object.");
    }
    return parsed as Record<string, unknown>;
  }
  if (ct.startsWith("application/x-www-form-urlencoded") || ct.startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw badRequest("Unable to decode the form body.");
    }
    const out: Record<string, unknown> = {};
    form.forEach((value, key) => {
      // `a.b.c…` nests one level per dot: bounded as JSON bodies are.
      if (key.split(".", MAX_JSON_DEPTH + 2).length > MAX_JSON_DEPTH + 1) {
        throw badRequest(
          `Unable to decode the form body: a field name nests deeper than ${MAX_JSON_DEPTH} levels.`,
        );
      }
      if (typeof value === "string") setNested(out, key, value);
    });
    return out;
  }
  if (ct === "") {
    const text = await c.req.text();
    if (text.trim() === "") return {};
  }
  throw unsupported();
}

/**
 * A request header, read from Node's IncomingMessage when @hono/node-server serves the request
 * (`c.env.incoming`): the first `c.req.header()` makes the adapter build a full Headers object,
 * which the hottest reads (whoami) cannot afford. Falls back to Hono's accessor elsewhere.
 */
export function rawHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: { headers: Record<string, string | string[] | undefined> } })
    ?.incoming;
  if (!incoming) return c.req.header(name);
  const v = incoming.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}
