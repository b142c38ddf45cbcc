import type { Config } from "../config/index.ts";

export type CourierChannel = Config["courier"]["channels"][number];

/** What a channel request may say about a message (the placeholders of the body template). */
export interface ChannelMessage {
  id: string;
  recipient: string;
  body: string;
  templateType: string;
}

/** An HTTP answer outside 2xx: recorded on the dispatch (status, no body) and retried. */
export class ChannelError extends Error {
  override name = "ChannelError";
  constructor(
    message: string,
    readonly responseCode?: number,
  ) {
    super(message);
  }
}

const PLACEHOLDER = /\{\{\s*(recipient|body|template_type|message_id)\s*\}\}/g;

function placeholder(msg: ChannelMessage, key: string): string {
  if (key === "recipient") return msg.recipient;
  if (key === "body") return msg.body;
  if (key === "template_type") return msg.templateType;
  return msg.id;
}

/** Fills the placeholders of every string in the template; other values pass through unchanged. */
function fill(value: unknown, msg: ChannelMessage): unknown {
  if (typeof value === "string") return value.replace(PLACEHOLDER, (_, key: string) => placeholder(msg, key));
  if (Array.isArray(value)) return value.map((v) => fill(v, msg));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, msg)]));
  }
  return value;
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
}

/** The request a channel makes for one message: URL, method, headers (auth included) and body. */
export function channelRequest(
  channel: CourierChannel,
  msg: ChannelMessage,
): { url: string; init: RequestInit & { method: string; headers: Record<string, string>; body: string } } {
  const rc = channel.request_config;
  const payload = (
    rc.body
      ? fill(rc.body, msg)
      : { recipient: msg.recipient, body: msg.body, template_type: msg.templateType, message_id: msg.id }
  ) as Record<string, unknown>;
  const headers: Record<string, string> = { ...rc.headers };
  const form = /^application\/x-www-form-urlencoded\b/i.test(headerValue(headers, "content-type") ?? "");
  if (!headerValue(headers, "content-type")) headers["Content-Type"] = "application/json";
  // Placeholders in the URL (a query string, say) are percent-encoded.
  const url = rc.url.replace(PLACEHOLDER, (_, key: string) => encodeURIComponent(placeholder(msg, key)));
  if (rc.auth?.type === "basic_auth") {
    const { user, password } = rc.auth.config;
    headers.Authorization = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
  } else if (rc.auth?.type === "api_key") {
    const { name, value, in: where } = rc.auth.config;
    if (where === "cookie") headers.Cookie = `${name}=${encodeURIComponent(value)}`;
    else headers[name] = value;
  }
  const body = form
    ? new URLSearchParams(
        Object.entries(payload).map(([k, v]): [string, string] => [
          k,
          typeof v === "string" ? v : JSON.stringify(v),
        ]),
      ).toString()
    : JSON.stringify(payload);
  return { url, init: { method: rc.method, headers, body } };
}

/** Delivers one message through the channel; throws (a ChannelError for a non-2xx answer) on failure. */
export async function sendThroughChannel(channel: CourierChannel, msg: ChannelMessage): Promise<void> {
  const { url, init } = channelRequest(channel, msg);
  const res = await fetch(url, {
    ...init,
    redirect: "manual",
    signal: AbortSignal.timeout(channel.request_config.timeout),
  });
  // The answer's body is not needed (and may be large): drop it so the connection is reused.
  await res.body?.cancel().catch(() => {});
  if (res.status < 200 || res.status > 299) {
    throw new ChannelError(`courier channel "${channel.id}" answered HTTP ${res.status}`, res.status);
  }
}
