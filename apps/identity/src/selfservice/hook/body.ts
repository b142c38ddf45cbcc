import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { WebHookConfig } from "../../config/hooks.ts";

/*
 * A web hook's request body. Kratos renders `body` with Jsonnet; Olympus has no Jsonnet evaluator
 * (docs/ory-compatibility.md, "Web hooks"), so `body` is a JSON template: every string that is a
 * placeholder `{{ ctx.identity.traits.email }}` takes the value at that path (any JSON type, null when
 * absent); placeholders inside longer strings are replaced by their text. Without a body the request
 * carries `{"ctx": {...}}`, the whole context a Kratos template receives.
 */

export class HookBodyError extends Error {
  override name = "HookBodyError";
}

const WHOLE = /^\{\{\s*(ctx(?:\.[A-Za-z0-9_-]+)*)\s*\}\}$/;
const INNER = /\{\{\s*(ctx(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

function at(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, key)) return null;
    v = (v as Record<string, unknown>)[key];
  }
  return v === undefined ? null : v;
}

function fill(value: unknown, scope: { ctx: unknown }): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return at(scope, whole[1]!);
    return value.replace(INNER, (_, path: string) => {
      const v = at(scope, path);
      return typeof v === "string" ? v : v === null ? "" : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, scope));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, scope)]));
  }
  return value;
}

const loaded = new WeakMap<WebHookConfig, Record<string, unknown> | null>();

/** The hook's template: inline, from a file:// or base64:// URL, or null (the default body). Throws HookBodyError. */
export function templateOf(cfg: WebHookConfig, where: string): Record<string, unknown> | null {
  const hit = loaded.get(cfg);
  if (hit !== undefined) return hit;
  let template: Record<string, unknown> | null = null;
  if (typeof cfg.body === "object") template = cfg.body;
  else if (typeof cfg.body === "string") {
    let source: string;
    if (cfg.body.startsWith("base64://")) {
      source = Buffer.from(cfg.body.slice("base64://".length), "base64").toString("utf8");
    } else if (cfg.body.startsWith("file://")) {
      try {
        source = readFileSync(fileURLToPath(cfg.body), "utf8");
      } catch (e) {
        throw new HookBodyError(`${where}.body: cannot read ${cfg.body}: ${(e as Error).message}`);
      }
    } else {
      throw new HookBodyError(`${where}.body: expected a JSON object or a file:// or base64:// URL`);
    }
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch {
      throw new HookBodyError(
        `${where}.body holds a Jsonnet program; Olympus reads a JSON template there instead (see docs/ory-compatibility.md, "Web hooks").`,
      );
    }
    if (!json || typeof json !== "object" || Array.isArray(json)) {
      throw new HookBodyError(`${where}.body: expected a JSON object template`);
    }
    template = json as Record<string, unknown>;
  }
  loaded.set(cfg, template);
  return template;
}

/** The JSON body of one call: the template filled from `ctx`, or `{ctx}` without a template. */
export function renderBody(template: Record<string, unknown> | null, ctx: Record<string, unknown>): unknown {
  return template ? fill(template, { ctx }) : { ctx };
}
