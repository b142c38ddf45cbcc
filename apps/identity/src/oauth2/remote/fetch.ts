import { type LookupAddress, lookup as dnsLookup } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP } from "node:net";

/*
 * Documents a client names by URL (jwks_uri, sector_identifier_uri, request_uri) are fetched by the
 * server, so the URL is attacker-chosen input: http(s) only, no credentials in it, a deadline and a
 * size limit, at most three redirects (each checked again), and, when configured, no address that is
 * not public (checked on the address actually connected to, so DNS rebinding does not get around it).
 */

export class RemoteError extends Error {
  override name = "RemoteError";
}

export interface FetchPolicy {
  disallowPrivate: boolean;
  /** URLs (without fragment) fetched even when they resolve to a private address. */
  exceptions: string[];
  timeoutMs: number;
  maxBytes: number;
}

export interface RemoteDocument {
  body: string;
  contentType: string;
}

/** Addresses that are not public: loopback, private, link-local, CGNAT, benchmarking, multicast, reserved. */
function notPublic(): BlockList {
  const b = new BlockList();
  for (const [net, bits] of [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ] as const)
    b.addSubnet(net, bits, "ipv4");
  for (const [net, bits] of [
    ["::", 128],
    ["::1", 128],
    ["fc00::", 7],
    ["fe80::", 10],
    ["ff00::", 8],
    ["64:ff9b::", 96],
    ["2001:db8::", 32],
  ] as const)
    b.addSubnet(net, bits, "ipv6");
  return b;
}

const NOT_PUBLIC = notPublic();

/** Whether an IP address (v4, v6, or v4-mapped v6) is outside the public internet. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return NOT_PUBLIC.check(mapped[1]!, "ipv4");
  const family = isIP(address);
  if (family === 4) return NOT_PUBLIC.check(address, "ipv4");
  if (family === 6) return NOT_PUBLIC.check(address, "ipv6");
  return true;
}

/** Parses a URL the server may fetch: absolute http(s), without credentials. */
export function fetchableUrl(value: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return undefined;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return undefined;
  if (u.username || u.password) return undefined;
  return u;
}

const withoutFragment = (u: URL) => u.href.replace(/#.*$/, "");

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A DNS lookup that refuses names resolving to an address that is not public. */
function guardedLookup(hostname: string, options: { all?: boolean }, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const blocked = addresses.find((a) => isPrivateAddress(a.address));
    if (blocked) {
      return callback(
        new RemoteError(`${hostname} resolves to ${blocked.address}, which is not a public address.`),
        [],
      );
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

function getOnce(
  url: URL,
  guard: boolean,
  deadline: number,
  post?: { body: string; contentType: string },
): Promise<http.IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (guard && isIP(host) && isPrivateAddress(host)) {
    return Promise.reject(new RemoteError(`${host} is not a public address.`));
  }
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: post ? "POST" : "GET",
        headers: {
          accept: "application/json, application/jwt, */*;q=0.5",
          "user-agent": "olympus-identity",
          ...(post
            ? { "content-type": post.contentType, "content-length": String(Buffer.byteLength(post.body)) }
            : {}),
        },
        ...(guard ? { lookup: guardedLookup as never } : {}),
        timeout: Math.max(1, deadline - Date.now()),
      },
      resolve,
    );
    req.on("timeout", () => req.destroy(new RemoteError("The request timed out.")));
    req.on("error", (e) => reject(e instanceof RemoteError ? e : new RemoteError(e.message)));
    req.end(post?.body);
  });
}

/**
 * POSTs a form to a URL a client registered (a back-channel logout), with the same limits as
 * fetchRemote: http(s) only, a deadline, and — with `disallowPrivate` — public addresses only.
 * Redirects are not followed. Returns the status; throws RemoteError when nothing was answered.
 */
export async function postRemote(
  value: string,
  form: Record<string, string>,
  policy: FetchPolicy,
): Promise<number> {
  const deadline = Date.now() + policy.timeoutMs;
  const url = fetchableUrl(value);
  if (!url) throw new RemoteError("Only absolute http and https URLs without credentials can be called.");
  const guard = policy.disallowPrivate && !policy.exceptions.includes(withoutFragment(url));
  const res = await getOnce(url, guard, deadline, {
    body: new URLSearchParams(form).toString(),
    contentType: "application/x-www-form-urlencoded",
  });
  res.resume();
  return res.statusCode ?? 0;
}

/** Reads a response body up to `maxBytes`; a longer one is refused. */
function readBody(res: http.IncomingMessage, maxBytes: number, deadline: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(
      () => res.destroy(new RemoteError("The request timed out.")),
      Math.max(1, deadline - Date.now()),
    );
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy(new RemoteError(`The document is larger than ${maxBytes} bytes.`));
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    res.on("error", (e) => {
      clearTimeout(timer);
      reject(e instanceof RemoteError ? e : new RemoteError(e.message));
    });
  });
}

/** GETs a document a client named; throws RemoteError with a reason fit for an error message. */
export async function fetchRemote(value: string, policy: FetchPolicy): Promise<RemoteDocument> {
  const deadline = Date.now() + policy.timeoutMs;
  let url = fetchableUrl(value);
  if (!url) throw new RemoteError("Only absolute http and https URLs without credentials can be fetched.");
  for (let hop = 0; hop <= 3; hop++) {
    const guard = policy.disallowPrivate && !policy.exceptions.includes(withoutFragment(url));
    const res = await getOnce(url, guard, deadline);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      const next = fetchableUrl(new URL(res.headers.location, url).href);
      if (!next) throw new RemoteError("A redirect pointed to a URL that can not be fetched.");
      url = next;
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new RemoteError(`The server answered HTTP ${status}.`);
    }
    const contentLength = Number(res.headers["content-length"] ?? 0);
    if (contentLength > policy.maxBytes) {
      res.destroy();
      throw new RemoteError(`The document is larger than ${policy.maxBytes} bytes.`);
    }
    const body = await readBody(res, policy.maxBytes, deadline);
    return { body, contentType: String(res.headers["content-type"] ?? "") };
  }
  throw new RemoteError("Too many redirects.");
}
