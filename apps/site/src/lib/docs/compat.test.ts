import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { docsDir } from "./content";

// Keeps docs/ory-compatibility.md honest: every endpoint it marks "served" must be registered by a route
// in apps/identity/src (admin routes are mounted without their /admin prefix; {id} is :id in hono).
const dir = docsDir({}, join(__dirname, "../../.."));
const identitySrc = join(dir, "..", "apps", "identity", "src");

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = join(folder, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [readFileSync(full, "utf8")] : [];
  });
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * "METHOD /path" for every hono route registration in a source file: `.get("/p", …)`, `.all("/p", …)`,
 * `.on(["GET", "POST"], "/p", …)`, with the path a string literal, a `const` of the file, or a template
 * literal starting with such a const (`${base}/accept`).
 */
export function routesOf(code: string): Set<string> {
  const consts = new Map<string, string>();
  for (const m of code.matchAll(/const (\w+) = "([^"]+)";/g)) consts.set(m[1]!, m[2]!);
  const path = (expr: string): string | undefined => {
    const e = expr.trim();
    const literal = /^["'](.*)["']$/.exec(e);
    if (literal) return literal[1];
    if (/^\w+$/.test(e)) return consts.get(e);
    const template = /^`\$\{(\w+)\}([^`$]*)`$/.exec(e);
    if (template && consts.has(template[1]!)) return consts.get(template[1]!)! + template[2];
    const plain = /^`([^`$]*)`$/.exec(e);
    return plain?.[1];
  };
  const out = new Set<string>();
  const arg = "(\"[^\"]*\"|'[^']*'|`[^`]*`|\\w+)";
  for (const m of code.matchAll(new RegExp(`\\.(get|post|put|patch|delete|all)\\(\\s*${arg}\\s*,`, "g"))) {
    const p = path(m[2]!);
    if (!p?.startsWith("/")) continue;
    for (const method of m[1] === "all" ? METHODS : [m[1]!.toUpperCase()]) out.add(`${method} ${p}`);
  }
  for (const m of code.matchAll(new RegExp(`\\.on\\(\\s*\\[([^\\]]*)\\]\\s*,\\s*${arg}\\s*,`, "g"))) {
    const p = path(m[2]!);
    if (!p?.startsWith("/")) continue;
    for (const method of m[1]!.match(/[A-Z]+/g) ?? []) out.add(`${method} ${p}`);
  }
  return out;
}

const rows = readFileSync(join(dir, "ory-compatibility.md"), "utf8")
  .split("\n")
  .map((l) => /^\|\s*(GET|POST|PUT|PATCH|DELETE)\s*\|\s*(\S+)\s*\|\s*[^|]*\|\s*([^|]+?)\s*\|$/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => ({ method: m[1]!, path: m[2]!, status: m[3]! }));

describe("Ory compatibility table", () => {
  it("has rows, each marked served or planned", () => {
    expect(rows.length).toBeGreaterThan(40);
    for (const r of rows) expect(r.status, `${r.method} ${r.path}`).toMatch(/^(served|planned)/);
  });

  it("every endpoint marked served is routed in apps/identity/src", () => {
    const routed = new Set(sources(identitySrc).flatMap((code) => [...routesOf(code)]));
    const missing = rows
      .filter((r) => r.status === "served")
      .map((r) => `${r.method} ${r.path.replace(/^\/admin(?=\/)/, "").replace(/\{(\w+)\}/g, ":$1")}`)
      .filter((route) => !routed.has(route) && !routed.has(route.replace(" /", " /admin/")));
    expect(missing).toEqual([]);
  });

  it("reads hono registrations of every shape the core uses", () => {
    const code = [
      'app.get("/sessions/whoami", whoami);',
      'admin.delete("/identities/:id", async (c) => {});',
      'app.on(["GET", "POST"], "/oauth2/auth", async (c) => {});',
      'const base = "/oauth2/auth/requests/login";',
      "admin.get(base, async (c) => {});",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text of a template literal, on purpose
      "admin.put(`${base}/accept`, async (c) => {});",
      'c.req.query("login_challenge");',
    ].join("\n");
    expect([...routesOf(code)].sort()).toEqual([
      "DELETE /identities/:id",
      "GET /oauth2/auth",
      "GET /oauth2/auth/requests/login",
      "GET /sessions/whoami",
      "POST /oauth2/auth",
      "PUT /oauth2/auth/requests/login/accept",
    ]);
  });
});
