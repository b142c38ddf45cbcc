import { z } from "zod";
import type { WebHookConfig } from "../../config/hooks.ts";
import type { UiText } from "../flow/text.ts";

/*
 * One web hook call: the request (auth included) and the answer, read with a size limit. The hook's
 * URL is the operator's configuration; its answer is hostile input: at most MAX_ANSWER bytes, JSON
 * only where parsed, and every shape checked before anything of it is used.
 */

/** The largest answer read from a receiver; a longer one fails the call. */
export const MAX_ANSWER = 64 * 1024;

export interface HookRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export type HookAnswer =
  | { ok: true; status: number; json: unknown }
  | { ok: false; status?: number; json?: unknown; error: string; timedOut?: boolean };

/** The request one call makes; GET and DELETE carry no body (as in Kratos). */
export function hookRequest(cfg: WebHookConfig, payload: unknown): HookRequest {
  const headers: Record<string, string> = { Accept: "application/json" };
  const withBody = cfg.method !== "GET" && cfg.method !== "DELETE";
  if (withBody) headers["Content-Type"] = "application/json";
  if (cfg.auth?.type === "basic_auth") {
    const { user, password } = cfg.auth.config;
    headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  } else if (cfg.auth?.type === "api_key") {
    const { name, value, in: where } = cfg.auth.config;
    if (where === "cookie") headers.Cookie = `${name}=${encodeURIComponent(value)}`;
    else headers[name] = value;
  }
  return {
    url: cfg.url,
    method: cfg.method,
    headers,
    ...(withBody ? { body: JSON.stringify(payload) } : {}),
  };
}

async function readLimited(res: Response): Promise<string | undefined> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Makes the call within `timeout`; never throws. 2xx is `ok`; anything else says why it failed. */
export async function callWebHook(req: HookRequest, timeoutMs: number): Promise<HookAnswer> {
  let res: Response;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      redirect: "manual",
      signal,
    });
  } catch (e) {
    const timedOut = signal.aborted;
    return {
      ok: false,
      timedOut,
      error: timedOut
        ? `no answer within ${timeoutMs}ms`
        : `request failed: ${String((e as Error)?.message ?? e)}`,
    };
  }
  let text: string | undefined;
  try {
    text = await readLimited(res);
  } catch {
    return {
      ok: false,
      status: res.status,
      timedOut: signal.aborted,
      error: signal.aborted ? `no answer within ${timeoutMs}ms` : "answer cut off",
    };
  }
  if (text === undefined)
    return { ok: false, status: res.status, error: `answer larger than ${MAX_ANSWER} bytes` };
  let json: unknown;
  if (text.trim()) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (res.status >= 200 && res.status <= 299) return { ok: true, status: res.status, json };
  return { ok: false, status: res.status, json, error: `answered HTTP ${res.status}` };
}

const uiText = z.object({
  id: z.number().int().min(0).max(99_999_999),
  text: z.string().max(1000),
  type: z.enum(["info", "error", "success"]).default("error"),
  context: z.record(z.string(), z.unknown()).optional(),
});

/** Kratos' interrupting answer: messages per JSON pointer into the submission (`#/traits/email`). */
const interruptBody = z.object({
  messages: z
    .array(
      z.object({
        instance_ptr: z.string().max(256).optional(),
        messages: z.array(uiText).min(1).max(20),
      }),
    )
    .min(1)
    .max(50),
});

/** A JSON pointer (`#/traits/email`) as a node name (`traits.email`); "" for the flow itself. */
export function nodeNameOf(pointer: string | undefined): string {
  const path = (pointer ?? "").replace(/^#/, "").replace(/^\//, "");
  if (!path) return "";
  return path
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");
}

/** The messages of a refusal by node name ("" = on the flow), or undefined when the answer is not one. */
export function parseInterrupt(json: unknown): [name: string, message: UiText][] | undefined {
  const parsed = interruptBody.safeParse(json);
  if (!parsed.success) return undefined;
  const out: [string, UiText][] = [];
  for (const group of parsed.data.messages) {
    const name = nodeNameOf(group.instance_ptr);
    for (const m of group.messages) {
      out.push([
        name,
        { id: m.id, text: m.text, type: m.type, ...(m.context ? { context: m.context } : {}) },
      ]);
    }
  }
  return out;
}

const jsonObject = z.record(z.string(), z.unknown());

/** What a parsing hook may change (Kratos: traits, metadata_public, metadata_admin); other keys are ignored. */
const identityAnswer = z.object({
  identity: z
    .object({
      traits: jsonObject.optional(),
      metadata_public: jsonObject.nullable().optional(),
      metadata_admin: jsonObject.nullable().optional(),
    })
    .optional(),
});
export type IdentityChanges = NonNullable<z.infer<typeof identityAnswer>["identity"]>;

/** The identity changes in a 2xx answer: `{}` for none (an empty body), undefined for a malformed one. */
export function parseIdentityChanges(json: unknown): IdentityChanges | undefined {
  if (json === undefined) return {};
  const parsed = identityAnswer.safeParse(json);
  if (!parsed.success) return undefined;
  return parsed.data.identity ?? {};
}
