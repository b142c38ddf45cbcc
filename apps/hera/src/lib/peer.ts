import type { IncomingMessage, Server } from "node:http";

/**
 * Hera is the proxy in front of the identity core's public API (`/.ory/*`), and the core keys its
 * rate limits and lockouts on the client address it reads from X-Forwarded-For. Hera must therefore
 * append the address the browser actually connected from — as a reverse proxy does — and never pass
 * on the browser's header as the whole story. A Next.js route handler cannot see the socket, and Next
 * itself only fills X-Forwarded-For when the client sent none, so the address is recorded where the
 * Node HTTP server hands the request over ("request" event), before Next reads any header.
 */

/** Set on every request by the hook below (any value the client sent is replaced). */
export const PEER_HEADER = "x-olympus-peer";

const INSTALLED = Symbol.for("olympus.hera.peer-forwarding");

/** `::ffff:203.0.113.7` → `203.0.113.7`; other addresses unchanged. */
export function normalizePeer(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1] : ip;
}

/**
 * Appends the socket's peer address to the request's X-Forwarded-For (creating it when absent) and
 * records it in {@link PEER_HEADER}. Whatever the client put in either header stays to the left of
 * the address Hera saw, where the core ignores it unless the peer is a proxy the operator declared.
 */
export function recordPeer(req: IncomingMessage): void {
  delete req.headers[PEER_HEADER];
  const peer = normalizePeer(req.socket?.remoteAddress);
  if (!peer) return;
  const prior = req.headers["x-forwarded-for"];
  const chain = (Array.isArray(prior) ? prior.join(", ") : (prior ?? "")).trim();
  req.headers["x-forwarded-for"] = chain ? `${chain}, ${peer}` : peer;
  req.headers[PEER_HEADER] = peer;
}

/** Installs {@link recordPeer} on every Node HTTP server of this process (idempotent). */
export function installPeerForwarding(serverPrototype: Server): void {
  type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
  const proto = serverPrototype as unknown as { emit: Emit; [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  const emit = proto.emit;
  proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === "request") recordPeer(args[0] as IncomingMessage);
    return emit.call(this, event, ...args);
  };
  proto[INSTALLED] = true;
}
