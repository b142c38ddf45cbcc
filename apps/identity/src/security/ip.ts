import type { Context } from "hono";
import { BlockList, isIP } from "node:net";
import type { AppContext } from "../app/context.ts";

/*
 * The client address that rate limits, lockouts, sessions and the audit log key on. X-Forwarded-For is
 * only believed when the direct peer is a proxy the operator declared (security.trusted_proxies,
 * nothing by default), and then the right-most address that is not itself a trusted proxy wins: a
 * client can prepend anything it likes to the header, but not what the proxy next to us appended
 * (Hera appends the address it was connected from). With no trusted proxy declared the header is
 * ignored and the peer address is the client.
 */

function normalize(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip;
}

/** The proxies of `security.trusted_proxies` as one list to check addresses against (built once, with the core). */
export function trustedProxyList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [addr, bits] = cidr.split("/");
    const family = isIP(addr ?? "");
    if (!family) continue;
    const type = family === 6 ? "ipv6" : "ipv4";
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    list.addSubnet(addr!, prefix, type);
  }
  return list;
}

/**
 * Whether an address is one of our own proxies. A request that resolves to one came through a proxy
 * that did not say who the client was (no X-Forwarded-For): per-address limits must not apply to it, or
 * every user behind that proxy would share one budget and one lockout.
 */
export function isTrustedProxy(ctx: AppContext, ip: string): boolean {
  return isTrusted(ctx, ip);
}

function isTrusted(ctx: AppContext, ip: string): boolean {
  const family = isIP(ip);
  if (!family) return false;
  return ctx.trustedProxies.check(ip, family === 6 ? "ipv6" : "ipv4");
}

function peerAddress(c: Context): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  const ip = incoming?.socket?.remoteAddress;
  return ip ? normalize(ip) : undefined;
}

/** The request's client address (see above); "unknown" when the server cannot tell. */
export function requestIp(c: Context, ctx: AppContext): string {
  const cached = (c as unknown as { get(k: string): unknown }).get("olympus.ip") as string | undefined;
  if (cached) return cached;
  const peer = peerAddress(c);
  let ip = peer ?? "unknown";
  if (peer && isTrusted(ctx, peer)) {
    const hops = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((h) => normalize(h.trim()))
      .filter((h) => isIP(h));
    for (let i = hops.length - 1; i >= 0; i--) {
      ip = hops[i]!;
      if (!isTrusted(ctx, ip)) break;
    }
  }
  (c as unknown as { set(k: string, v: unknown): void }).set("olympus.ip", ip);
  return ip;
}
