import type { Context } from "hono";
import { badRequest } from "../errors/index.ts";
import { urlJoin } from "../app/runtime.ts";

/**
 * Keyset-free token pagination: `page_token` is an opaque base64url offset. Ory's wire contract
 * (page_size + page_token, Link header with rel=first/next) is what matters to clients.
 */
export function pageParams(
  c: Context,
  defaults = { size: 250, max: 1000 },
): { size: number; offset: number } {
  const rawSize = c.req.query("page_size") ?? c.req.query("per_page");
  let size = defaults.size;
  if (rawSize !== undefined) {
    size = Number(rawSize);
    if (!Number.isInteger(size) || size < 1) throw badRequest("page_size must be a positive integer.");
    size = Math.min(size, defaults.max);
  }
  let offset = 0;
  const token = c.req.query("page_token");
  if (token) {
    const text = Buffer.from(token, "base64url").toString("utf8");
    const decoded = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(decoded) || decoded < 0) throw badRequest("page_token is invalid.");
    offset = decoded;
  } else if (c.req.query("page") !== undefined) {
    const page = Number(c.req.query("page"));
    if (!Number.isInteger(page) || page < 0) throw badRequest("page must be a non-negative integer.");
    offset = page * size;
  }
  return { size, offset };
}

export function setLinkHeader(
  c: Context,
  base: string,
  path: string,
  size: number,
  offset: number,
  hasNext: boolean,
): void {
  const u = (o: number) => {
    const url = new URL(urlJoin(base, path));
    url.searchParams.set("page_size", String(size));
    url.searchParams.set("page_token", Buffer.from(String(o)).toString("base64url"));
    return url.pathname + url.search;
  };
  const links = [`<${u(0)}>; rel="first"`];
  if (hasNext) links.push(`<${u(offset + size)}>; rel="next"`);
  c.header("Link", links.join(","));
}
