/**
 * Same-origin forwarding of `/.ory/*` to the identity core's public API. The core's public
 * base_url is `<hera>/.ory/`, so it already writes `ui.action`, `Location` and cookie values for
 * Hera's origin: nothing is rewritten, only hop-by-hop headers are dropped.
 */

import { PEER_HEADER } from "./peer";

/** RFC 9110 §7.6.1 connection-specific headers, plus the ones fetch recomputes itself. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

function connectionListed(headers: Headers): Set<string> {
  const listed = new Set<string>();
  for (const token of (headers.get("connection") ?? "").split(",")) {
    const name = token.trim().toLowerCase();
    if (name) listed.add(name);
  }
  return listed;
}

/** The path and query on the core for a proxied Hera URL (`/.ory/a/b?c` → `<core>/a/b?c`). */
export function upstreamUrl(requestUrl: string, corePublicUrl: string, prefix = "/.ory"): URL {
  const incoming = new URL(requestUrl);
  const rest = incoming.pathname.startsWith(prefix)
    ? incoming.pathname.slice(prefix.length)
    : incoming.pathname;
  const target = new URL(corePublicUrl.replace(/\/+$/, "") + (rest.startsWith("/") ? rest : `/${rest}`));
  target.search = incoming.search;
  return target;
}

/**
 * Headers to send upstream: the browser's, minus hop-by-hop ones; `accept-encoding: identity` so
 * the body can be streamed back unchanged; X-Forwarded-* describing the browser's view, with
 * X-Forwarded-For as the peer hook left it (the browser's address appended, lib/peer.ts).
 */
export function requestHeadersForUpstream(incoming: Headers, publicUrl: string): Headers {
  const drop = connectionListed(incoming);
  const out = new Headers();
  incoming.forEach((value, name) => {
    const n = name.toLowerCase();
    if (HOP_BY_HOP.has(n) || drop.has(n) || n === "accept-encoding" || n === PEER_HEADER) return;
    out.set(n, value);
  });
  out.set("accept-encoding", "identity");
  const pub = new URL(publicUrl);
  if (!out.has("x-forwarded-host")) out.set("x-forwarded-host", pub.host);
  if (!out.has("x-forwarded-proto")) out.set("x-forwarded-proto", pub.protocol.replace(":", ""));
  return out;
}

/**
 * Headers to send back to the browser: every upstream header except hop-by-hop ones and the
 * encoding headers fetch already undid; each Set-Cookie kept as its own header line.
 */
export function responseHeadersForBrowser(upstream: Headers): Headers {
  const drop = connectionListed(upstream);
  const out = new Headers();
  upstream.forEach((value, name) => {
    const n = name.toLowerCase();
    if (n === "set-cookie" || HOP_BY_HOP.has(n) || drop.has(n) || n === "content-encoding") return;
    out.set(n, value);
  });
  // Headers.forEach joins repeated Set-Cookie lines with ", ", which breaks Expires dates: copy them one by one.
  for (const cookie of upstream.getSetCookie()) out.append("set-cookie", cookie);
  return out;
}

/** Forwards one request to the core and returns its answer for the browser (redirects untouched). */
export async function forwardToCore(
  request: Request,
  opts: { corePublicUrl: string; publicUrl: string; fetchImpl?: typeof fetch; acceptLanguage?: string },
): Promise<Response> {
  // The peer hook (lib/peer.ts, installed by instrumentation.ts) appended the browser's address to
  // X-Forwarded-For. Without it the header is only what the browser claims: refuse rather than let
  // the core key its limits on that (this can only happen while the server is still starting).
  if (!request.headers.get(PEER_HEADER)) {
    return Response.json(
      {
        error: {
          code: 503,
          status: "Service Unavailable",
          message: "Hera is starting. Please try again in a moment.",
        },
      },
      { status: 503, headers: { "retry-after": "1" } },
    );
  }
  const target = upstreamUrl(request.url, opts.corePublicUrl);
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const headers = requestHeadersForUpstream(request.headers, opts.publicUrl);
  if (opts.acceptLanguage) headers.set("accept-language", opts.acceptLanguage);
  const init: RequestInit & { duplex?: "half" } = {
    method: request.method,
    headers,
    redirect: "manual",
    cache: "no-store",
  };
  if (hasBody) {
    init.body = request.body;
    init.duplex = "half";
  }
  let upstream: Response;
  try {
    upstream = await (opts.fetchImpl ?? fetch)(target, init);
  } catch {
    return Response.json(
      {
        error: {
          code: 502,
          status: "Bad Gateway",
          message: "The identity service is unreachable. Please try again in a moment.",
        },
      },
      { status: 502 },
    );
  }
  const noBody = request.method === "HEAD" || [204, 304].includes(upstream.status);
  return new Response(noBody ? null : upstream.body, {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: responseHeadersForBrowser(upstream.headers),
  });
}
