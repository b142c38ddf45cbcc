import { fileURLToPath } from "node:url";
import type { WebHookConfig } from "../../config/hooks.ts";
import { checkJsonnet, evaluateJsonnet, JsonnetError } from "../../jsonnet/evaluate.ts";
import { namedJsonnet, ProgramSourceError, programUrlKind, readProgram } from "../../jsonnet/source.ts";

/*
 * A web hook's request body, in one of two forms:
 * - Kratos' Jsonnet: `body` is a base64://, file:// or https:// URL holding a program, as in Kratos a
 *   function of `ctx` (`function(ctx) {…}`: flow, identity, request_headers, request_method,
 *   request_url, …; `std.extVar('ctx')` reads the same); its output is the JSON body. A program that
 *   ends with `error 'cancel'` cancels the call: the hook is skipped and the flow goes on (Kratos).
 *   Run by jsonnet/evaluate.ts (out of process, time and size limits, no imports).
 * - Olympus' JSON template: an inline object, or a URL holding a JSON object (a file ending in .jsonnet
 *   is always Jsonnet). Every string that is a placeholder `{{ ctx.identity.traits.email }}` takes the
 *   value at that path (any JSON type, null when absent); placeholders inside longer strings are
 *   replaced by their text.
 * Without a body the request carries `{"ctx": {...}}`, the whole context a Kratos program receives.
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

/** How a hook's body is made. */
export type BodySpec =
  | { kind: "template"; template: Record<string, unknown> }
  | { kind: "jsonnet"; program: string; filename: string }
  | { kind: "remote"; url: string }
  | null;

const loaded = new WeakMap<WebHookConfig, BodySpec>();

/** Reads the hook's body (once): a template, a Jsonnet program, or null (the default body). Throws HookBodyError. */
export async function bodyOf(cfg: WebHookConfig, where: string): Promise<BodySpec> {
  const hit = loaded.get(cfg);
  if (hit !== undefined) return hit;
  let spec: BodySpec = null;
  if (typeof cfg.body === "object") spec = { kind: "template", template: cfg.body };
  else if (typeof cfg.body === "string") {
    const url = cfg.body;
    const kind = programUrlKind(url);
    if (!kind)
      throw new HookBodyError(
        `${where}.body: expected a JSON object or a base64://, file:// or https:// URL`,
      );
    if (kind === "https") spec = { kind: "remote", url };
    else {
      let source: string;
      try {
        source = await readProgram(url, `${where}.body`);
      } catch (e) {
        if (e instanceof ProgramSourceError) throw new HookBodyError(e.message);
        throw e;
      }
      let json: unknown;
      if (!namedJsonnet(url)) {
        try {
          json = JSON.parse(source);
        } catch {
          // Not JSON: a Jsonnet program.
        }
      }
      if (json !== undefined) {
        if (!json || typeof json !== "object" || Array.isArray(json)) {
          throw new HookBodyError(`${where}.body: expected a JSON object template`);
        }
        spec = { kind: "template", template: json as Record<string, unknown> };
      } else {
        spec = {
          kind: "jsonnet",
          program: source,
          filename: kind === "file" ? fileURLToPath(url) : `${where}.body`,
        };
      }
    }
  }
  loaded.set(cfg, spec);
  return spec;
}

/** Checks a hook's body at start: readable, and a Jsonnet program that parses. Throws HookBodyError. */
export async function checkBody(cfg: WebHookConfig, where: string): Promise<void> {
  const spec = await bodyOf(cfg, where);
  if (spec?.kind !== "jsonnet") return;
  const problem = await checkJsonnet(spec.program, spec.filename);
  if (problem) throw new HookBodyError(`${where}.body: the Jsonnet program does not parse: ${problem}`);
}

/** What renderBody returns when the program cancelled the call (`error 'cancel'`). */
export const CANCEL: unique symbol = Symbol("cancel");

/**
 * The JSON body of one call: the template filled from `ctx`, the Jsonnet program's output, or `{ctx}`
 * without a body. Throws HookBodyError when the program fails (the hook then fails, as in Kratos).
 */
export async function renderBody(
  spec: BodySpec,
  ctx: Record<string, unknown>,
  where: string,
): Promise<unknown> {
  if (!spec) return { ctx };
  if (spec.kind === "template") return fill(spec.template, { ctx });
  let program: string;
  let filename: string;
  if (spec.kind === "remote") {
    try {
      program = await readProgram(spec.url, `${where}.body`);
    } catch (e) {
      throw new HookBodyError((e as Error).message);
    }
    filename = spec.url;
  } else {
    program = spec.program;
    filename = spec.filename;
  }
  try {
    return await evaluateJsonnet(program, { filename, ext: { ctx }, tla: { ctx } });
  } catch (e) {
    if (e instanceof JsonnetError && e.kind === "error" && /^RUNTIME ERROR: cancel\s*$/m.test(e.message)) {
      return CANCEL;
    }
    if (e instanceof JsonnetError) throw new HookBodyError(`${where}.body: ${e.kind}: ${e.message}`);
    throw e;
  }
}
