import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/*
 * A real HTTP receiver for web hook tests (node:http in the test process): it records every call and
 * answers by path with the behaviour the test sets, 200 `{}` by default.
 */

export interface Received {
  path: string;
  method: string;
  headers: IncomingMessage["headers"];
  body: any;
}

export type Behaviour = (r: Received, res: ServerResponse) => void;

export const ok: Behaviour = (_r, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end("{}");
};

export const answer =
  (status: number, body: unknown): Behaviour =>
  (_r, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

/** Answers only after `ms` (a receiver too slow for the hook's timeout). */
export const slow =
  (ms: number, then: Behaviour = ok): Behaviour =>
  (r, res) => {
    setTimeout(() => then(r, res), ms).unref();
  };

/** Kratos' interrupting answer with messages on the flow (`#/`) or on a field. */
export const refusal = (id: number, text: string, pointer = "#/") => ({
  messages: [{ instance_ptr: pointer, messages: [{ id, text, type: "error", context: {} }] }],
});

export class Receiver {
  readonly received: Received[] = [];
  readonly behaviour: Record<string, Behaviour> = {};
  private server?: Server;
  url = "";

  /** Listens on 127.0.0.1 (`port` 0: any free port). */
  async start(port = 0): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const r: Received = {
          path: req.url ?? "",
          method: req.method ?? "",
          headers: req.headers,
          body: raw ? JSON.parse(raw) : undefined,
        };
        this.received.push(r);
        (this.behaviour[r.path] ?? ok)(r, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** The calls made to `path`, oldest first. */
  calls(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  stop(): void {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}
