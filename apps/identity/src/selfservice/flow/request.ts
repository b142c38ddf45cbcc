import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { AppContext } from "../../app/context.ts";
import { isJsonRequest } from "../../http/request.ts";
import { requestIp } from "../../security/ip.ts";

/**
 * What self-service code below the routes knows about a request: a small record instead of hono's
 * `Context`. Built once per request by the route (`flowRequest`); strategies and hooks read it.
 */
export interface FlowRequest {
  /** The request URL as the server received it. */
  readonly url: string;
  /** The client address (trusted proxies resolved, see security/ip.ts); "unknown" when it cannot be told. */
  readonly ip: string;
  /** A request header by (case-insensitive) name. */
  header(name: string): string | undefined;
  /** A request cookie by name. */
  cookie(name: string): string | undefined;
  /** The client wants JSON answers (Accept or a JSON body), as Kratos decides it. */
  readonly json: boolean;
  /**
   * The hono context, for the few places not yet moved to this record (response headers, the
   * security helpers). Strategies must not use it: it is going away.
   * @internal
   */
  readonly hono: Context;
}

export function flowRequest(c: Context, ctx: AppContext): FlowRequest {
  let ip: string | undefined;
  let json: boolean | undefined;
  return {
    url: c.req.url,
    get ip() {
      ip ??= requestIp(c, ctx);
      return ip;
    },
    header: (name) => c.req.header(name),
    cookie: (name) => getCookie(c, name),
    get json() {
      json ??= isJsonRequest(c);
      return json;
    },
    hono: c,
  };
}
