import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

/**
 * The SMS sink: what MailDev is to email, for text messages. It takes the requests of a courier
 * channel (`courier.channels`, `type: http`) as an SMS gateway would, and lets people and tests read
 * what was "sent": the default deployment (octl) and the test suites point the `sms` channel here.
 *
 *   POST   /api/sms          a message: JSON or form; `recipient` (or `to`) and `body` (or `message`)
 *   GET    /api/sms[?to=…]   the messages received, oldest first (optionally for one recipient)
 *   DELETE /api/sms          forgets every message
 *   GET    /api/healthz      200 when up
 *
 * Not a gateway: it sends nothing anywhere. It listens on loopback unless told otherwise.
 */
export interface SinkMessage {
  id: string;
  to: string;
  body: string;
  received_at: string;
  /** The request body as received (parsed), for tests that check a channel's template. */
  payload: Record<string, unknown>;
  headers: Record<string, string>;
}

export interface SmsSink {
  url: string;
  port: number;
  messages(): SinkMessage[];
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const MAX_MESSAGES = 1000;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      // Too large: the rest is read and dropped, so the answer (413) still reaches the sender.
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parsePayload(contentType: string, raw: string): Record<string, unknown> | undefined {
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const firstString = (p: Record<string, unknown>, keys: string[]) => {
  for (const k of keys) if (typeof p[k] === "string" && p[k]) return p[k] as string;
  return undefined;
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** Starts the sink; `file` (JSON lines) keeps the messages across restarts. */
export async function startSmsSink(
  opts: { host?: string; port?: number; file?: string } = {},
): Promise<SmsSink> {
  let messages: SinkMessage[] = [];
  if (opts.file && existsSync(opts.file)) {
    messages = readFileSync(opts.file, "utf8")
      .split("\n")
      .filter(Boolean)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as SinkMessage];
        } catch {
          return [];
        }
      })
      .slice(-MAX_MESSAGES);
  }
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://sink");
      if (url.pathname === "/api/healthz" && req.method === "GET") return send(res, 200, { status: "ok" });
      if (url.pathname !== "/api/sms") return send(res, 404, { error: "not found" });
      if (req.method === "GET") {
        const to = url.searchParams.get("to");
        return send(res, 200, to ? messages.filter((m) => m.to === to) : messages);
      }
      if (req.method === "DELETE") {
        messages = [];
        if (opts.file) writeFileSync(opts.file, "");
        return send(res, 204, null);
      }
      if (req.method !== "POST") return send(res, 405, { error: "method not allowed" });
      const raw = await readBody(req);
      if (raw === undefined) return send(res, 413, { error: "message too large" });
      const payload = parsePayload(String(req.headers["content-type"] ?? ""), raw);
      const to = payload && firstString(payload, ["recipient", "to", "To"]);
      const body = payload && firstString(payload, ["body", "message", "Body", "text"]);
      if (!payload || !to || body === undefined) {
        return send(res, 400, { error: "expected a JSON or form body with recipient (or to) and body" });
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
      const msg: SinkMessage = {
        id: randomUUID(),
        to,
        body,
        received_at: new Date().toISOString(),
        payload,
        headers,
      };
      messages.push(msg);
      if (messages.length > MAX_MESSAGES) messages = messages.slice(-MAX_MESSAGES);
      if (opts.file) appendFileSync(opts.file, `${JSON.stringify(msg)}\n`);
      return send(res, 201, { id: msg.id });
    } catch {
      if (!res.headersSent) send(res, 500, { error: "sink failure" });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    messages: () => [...messages],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
