import { isDeepStrictEqual } from "node:util";
import type { ErrorObject } from "ajv";
import type { IdentitySchema, TraitField } from "../../identity/schemas.ts";
import { text, type UiText } from "./text.ts";
import { addNodeMessage, inputNode, type UiContainer, type UiNode, type UiNodeGroup } from "./ui.ts";

function inputType(f: TraitField): string {
  if (f.type === "boolean") return "checkbox";
  if (f.type === "number" || f.type === "integer") return "number";
  if (f.format === "email") return "email";
  if (f.format === "tel") return "tel";
  if (f.format === "date") return "date";
  if (f.format === "date-time") return "datetime-local";
  if (f.format === "uri" || f.format === "url") return "url";
  return "text";
}

function autocomplete(f: TraitField): string | undefined {
  if (f.format === "email") return "email";
  if (f.format === "tel") return "tel";
  return undefined;
}

function getPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * One input node per trait, in the schema's key order, labelled by the trait's title. Read-only
 * traits (`readOnly: true`) are left out where they cannot be set (`readOnly: "omit"`, registration)
 * or shown disabled with their value (`"disabled"`, settings).
 */
export function traitNodes(
  schema: IdentitySchema,
  group: UiNodeGroup,
  traits?: Record<string, unknown>,
  opts: { hidden?: boolean; readOnly?: "omit" | "disabled" } = {},
): UiNode[] {
  const fields = opts.readOnly === "omit" ? schema.fields.filter((f) => !f.readOnly) : schema.fields;
  return fields.map((f) => {
    const name = `traits.${f.path}`;
    const value = traits ? getPath(traits, f.path) : undefined;
    return inputNode(group, name, opts.hidden ? "hidden" : inputType(f), {
      value,
      required: f.required && !f.readOnly,
      autocomplete: autocomplete(f),
      label: text.labelGenerated(f.title ?? f.path, name),
      ...(f.readOnly && opts.readOnly === "disabled" ? { disabled: true } : {}),
    });
  });
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

/**
 * Enforces read-only traits on a self-service write (issue 16, finding 1). `stored` is the
 * identity's current traits (settings) or undefined (registration: nothing may be set). A read-only
 * trait left out of the submission keeps its stored value (a browser does not post disabled inputs);
 * one submitted with another value — or submitted at all at registration — is a violation. Returns
 * the traits to write and the offending trait paths.
 */
export function enforceReadOnly(
  schema: IdentitySchema,
  submitted: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
): { traits: Record<string, unknown>; violations: string[] } {
  const traits = structuredClone(submitted);
  const violations: string[] = [];
  for (const f of schema.fields) {
    if (!f.readOnly) continue;
    const given = getPath(submitted, f.path);
    const kept = stored ? getPath(stored, f.path) : undefined;
    if (given === undefined) {
      if (kept !== undefined) setPath(traits, f.path, structuredClone(kept));
    } else if (kept === undefined || !isDeepStrictEqual(given, kept)) {
      violations.push(f.path);
    }
  }
  return { traits, violations };
}

/** Puts one Ory validation message (4000001) on each read-only trait the request tried to change. */
export function readOnlyErrorsToUi(ui: UiContainer, paths: string[]): void {
  for (const path of paths) {
    addNodeMessage(
      ui,
      `traits.${path}`,
      text.validationGeneric(
        `The value of ${path} is managed by an administrator and cannot be changed here.`,
      ),
    );
  }
}

/** The label of the password identifier: the trait's title when exactly one trait is an identifier. */
export function identifierLabel(schema: IdentitySchema): UiText {
  const ids = schema.fields.filter((f) => f.extension.credentials?.password?.identifier);
  if (ids.length === 1 && ids[0]!.title) return text.labelGenerated(ids[0]!.title, "identifier");
  return text.labelId();
}

function nodeNameFor(err: ErrorObject): string {
  const path = err.instancePath.split("/").filter(Boolean);
  if (err.keyword === "required") path.push(String(err.params.missingProperty));
  return path.join(".");
}

/** Converts JSON-Schema errors to Kratos messages on the offending trait nodes. */
export function schemaErrorsToUi(ui: UiContainer, errors: ErrorObject[]): void {
  for (const err of errors) {
    const name = nodeNameFor(err);
    let msg: UiText;
    switch (err.keyword) {
      case "required":
        msg = text.validationRequired(String(err.params.missingProperty));
        break;
      case "minLength":
        msg = text.validationMinLength(Number(err.params.limit), String(err.data ?? "").length);
        break;
      case "maxLength":
        msg = text.validationMaxLength(Number(err.params.limit), String(err.data ?? "").length);
        break;
      case "pattern":
        msg = text.validationPattern(String(err.params.pattern));
        break;
      case "format":
        msg =
          err.params.format === "email"
            ? text.invalidEmail(String(err.data ?? ""))
            : text.validationGeneric(
                `"${String(err.data ?? "")}" is not valid "${String(err.params.format)}"`,
              );
        break;
      case "type":
        msg = text.validationInvalidType(String(err.params.type), typeof err.data);
        break;
      case "additionalProperties":
        msg = text.validationGeneric(
          `additionalProperties "${String(err.params.additionalProperty)}" not allowed`,
        );
        break;
      default:
        msg = text.validationGeneric(err.message ?? "is invalid");
    }
    if (name === "traits" || name === "") addNodeMessage(ui, "__none__", msg);
    else addNodeMessage(ui, name, msg);
  }
}

/** Form posts carry strings: turn them into the types the schema expects before validating. */
export function coerceTraits(schema: IdentitySchema, traits: unknown): Record<string, unknown> {
  if (typeof traits !== "object" || traits === null || Array.isArray(traits)) return {};
  const out = structuredClone(traits) as Record<string, unknown>;
  for (const f of schema.fields) {
    const parts = f.path.split(".");
    let parent: Record<string, unknown> | undefined = out;
    for (const p of parts.slice(0, -1)) {
      const next: unknown = parent?.[p];
      parent = typeof next === "object" && next !== null ? (next as Record<string, unknown>) : undefined;
    }
    const key = parts[parts.length - 1]!;
    if (!parent || !(key in parent)) continue;
    const v = parent[key];
    if (typeof v !== "string") continue;
    if (v === "" && !f.required) {
      delete parent[key];
    } else if ((f.type === "number" || f.type === "integer") && v.trim() !== "" && !Number.isNaN(Number(v))) {
      parent[key] = Number(v);
    } else if (f.type === "boolean") {
      parent[key] = v === "true" || v === "on" || v === "1";
    }
  }
  return out;
}
