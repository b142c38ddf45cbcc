import { z } from "zod";
import { duration } from "./duration.ts";

/*
 * The hooks of `selfservice.flows.<flow>.before.hooks` and `…after[.<method>].hooks`, as in kratos.yml.
 * Built-in hooks are named (`session`, `show_verification_ui`, …); `web_hook` calls an HTTP endpoint
 * with Kratos' `config` (url, method, body, auth, can_interrupt, response). Its `body` is Kratos'
 * Jsonnet at a `base64://`, `file://` or `https://` URL, or Olympus' JSON template (inline, or JSON at
 * such a URL); see selfservice/hook/body.ts.
 */

const url = z.url({ protocol: /^https?$/ });

export const BUILTIN_HOOKS = [
  "session",
  "show_verification_ui",
  "revoke_active_sessions",
  "require_verified_address",
] as const;

const webHookAuth = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("basic_auth"),
    config: z.object({ user: z.string(), password: z.string() }),
  }),
  z.object({
    type: z.literal("api_key"),
    config: z.object({
      name: z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "expected an HTTP header or cookie name"),
      value: z.string().regex(/^[^\r\n]*$/, "expected a value without line breaks"),
      in: z.enum(["header", "cookie"]).default("header"),
    }),
  }),
]);

export const webHookConfig = z
  .object({
    url,
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
    /** A JSON template (object), or a base64:// / file:// / https:// URL holding Jsonnet or a JSON template. */
    body: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    auth: webHookAuth.optional(),
    /** The receiver may refuse the flow with Kratos' error body (messages on the flow's fields). */
    can_interrupt: z.boolean().default(false),
    response: z
      .object({
        /** Fire and forget: queued (courier_messages) and retried with backoff; never blocks the flow. */
        ignore: z.boolean().default(false),
        /** The receiver may answer `{"identity": {...}}` to change traits and metadata (Kratos). */
        parse: z.boolean().default(false),
      })
      .prefault({} as never),
    /** Olympus-only: a receiver that has not answered in this long failed (bounded: 1ms–30s). */
    timeout: duration("5s").refine((ms) => ms > 0 && ms <= 30_000, "expected a timeout of at most 30s"),
  })
  .refine((c) => !(c.response.ignore && (c.response.parse || c.can_interrupt)), {
    message:
      "a fire-and-forget web hook (response.ignore) can neither parse its answer nor interrupt the flow",
  });
export type WebHookConfig = z.infer<typeof webHookConfig>;

export const hookEntry = z.union([
  z.object({ hook: z.enum(BUILTIN_HOOKS) }),
  z.object({ hook: z.literal("web_hook"), config: webHookConfig }),
]);
export type HookEntry = z.infer<typeof hookEntry>;
export type WebHookEntry = Extract<HookEntry, { hook: "web_hook" }>;
