import type { Context } from "hono";
import type { z } from "zod";
import { badRequest } from "../../errors/index.ts";
import { decodeJsonBody } from "../../http/request.ts";

/** Canonical UUIDs, as Kratos' uuid.FromString accepts them in paths and queries. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string | undefined): boolean => typeof s === "string" && UUID.test(s);

/** A path id that must be a UUID: Kratos answers 400 "could not parse UUID" for the session routes. */
export function requireUuid(value: string, what = "id"): string {
  if (!isUuid(value)) throw badRequest(`The ${what} "${value.slice(0, 64)}" is not a valid UUID.`);
  return value.toLowerCase();
}

/**
 * The admin API speaks JSON only. The body is parsed whatever its content type (the SDKs always
 * send application/json), and every decoding problem is a 400 in the Ory shape.
 */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") throw badRequest("Unable to decode JSON payload: the request body is empty.");
  return decodeJsonBody(text, "Unable to decode JSON payload");
}

/** Describes a zod issue as `path: message`, naming the offending property. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    return `${path ? `${path}: ` : ""}unknown field(s) ${keys.map((k) => `"${k}"`).join(", ")}`;
  }
  return `${path || "body"}: ${issue.message}`;
}

/** Validates a decoded body with zod; the first issue becomes the 400's reason, all go to details. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    throw badRequest(describeIssue(issues[0]!), {
      details: { issues: issues.slice(0, 20).map(describeIssue) },
    });
  }
  return parsed.data;
}

/** Go's strconv.ParseBool, which Kratos uses for `active`; undefined when absent. */
export function parseBoolParam(c: Context, name: string): boolean | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(raw)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(raw)) return false;
  throw badRequest(`could not parse parameter ${name}: "${raw.slice(0, 32)}" is not a boolean.`);
}
