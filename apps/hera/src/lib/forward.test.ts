import { describe, expect, it } from "vitest";
import { forwardToCore, requestHeadersForUpstream, responseHeadersForBrowser, upstreamUrl } from "./forward";
import { PEER_HEADER } from "./peer";

const HERA = "http://localhost:3000";
const CORE = "http://127.0.0.1:3100";

describe("upstreamUrl", () => {
  it("strips the /.ory prefix and keeps the query", () => {
    expect(upstreamUrl(`${HERA}/.ory/self-service/login?flow=abc&x=1`, CORE).toString()).toBe(
      `${CORE}/self-service/login?flow=abc&x=1`,
    );
  });
  it("keeps a path prefix of the core's URL", () => {
    expect(upstreamUrl(`${HERA}/.ory/sessions/whoami`, "http://core:8080/kratos/").toString()).toBe(
      "http://core:8080/kratos/sessions/whoami",
    );
  });
});

describe("requestHeadersForUpstream", () => {
  it("drops hop-by-hop headers, including those the Connection header names", () => {
    const h = requestHeadersForUpstream(
      new Headers({
        connection: "keep-alive, x-private-hop",
        "keep-alive": "timeout=5",
        "x-private-hop": "1",
        te: "trailers",
        upgrade: "h2c",
        "transfer-encoding": "chunked",
        "proxy-authorization": "Basic x",
        host: "localhost:3000",
        cookie: "olympus_ciam_session=s; olympus_ciam_csrf=c",
        accept: "application/json",
        origin: HERA,
      }),
      HERA,
    );
    for (const name of [
      "connection",
      "keep-alive",
      "x-private-hop",
      "te",
      "upgrade",
      "transfer-encoding",
      "proxy-authorization",
      "host",
    ]) {
      expect(h.has(name), name).toBe(false);
    }
    expect(h.get("cookie")).toBe("olympus_ciam_session=s; olympus_ciam_csrf=c");
    expect(h.get("accept")).toBe("application/json");
    expect(h.get("origin")).toBe(HERA);
  });
  it("asks for an unencoded body and describes the browser's view of the host", () => {
    const h = requestHeadersForUpstream(new Headers({ "accept-encoding": "gzip, br" }), HERA);
    expect(h.get("accept-encoding")).toBe("identity");
    expect(h.get("x-forwarded-host")).toBe("localhost:3000");
    expect(h.get("x-forwarded-proto")).toBe("http");
  });
  it("keeps X-Forwarded-* set by a proxy in front of Hera", () => {
    const h = requestHeadersForUpstream(
      new Headers({ "x-forwarded-host": "id.example.com", "x-forwarded-proto": "https" }),
      HERA,
    );
    expect(h.get("x-forwarded-host")).toBe("id.example.com");
    expect(h.get("x-forwarded-proto")).toBe("https");
  });
});

describe("responseHeadersForBrowser", () => {
  it("keeps every Set-Cookie as its own header, even with commas in Expires", () => {
    const upstream = new Headers();
    upstream.append("set-cookie", "olympus_ciam_csrf=abc; Path=/; HttpOnly; SameSite=Lax");
    upstream.append(
      "set-cookie",
      "olympus_ciam_session=xyz; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly",
    );
    upstream.append("set-cookie", "other=1; Path=/");
    const out = responseHeadersForBrowser(upstream);
    expect(out.getSetCookie()).toEqual([
      "olympus_ciam_csrf=abc; Path=/; HttpOnly; SameSite=Lax",
      "olympus_ciam_session=xyz; Path=/; Expires=Wed, 21 Oct 2026 07:28:00 GMT; HttpOnly",
      "other=1; Path=/",
    ]);
  });
  it("passes Location untouched and drops hop-by-hop and encoding headers", () => {
    const out = responseHeadersForBrowser(
      new Headers({
        location: "http://localhost:3000/login?flow=1",
        "content-type": "application/json",
        connection: "close",
        "keep-alive": "timeout=5",
        "transfer-encoding": "chunked",
        "content-encoding": "gzip",
        "content-length": "12",
        "cache-control": "private, no-store",
      }),
    );
    expect(out.get("location")).toBe("http://localhost:3000/login?flow=1");
    expect(out.get("content-type")).toBe("application/json");
    expect(out.get("cache-control")).toBe("private, no-store");
    for (const name of [
      "connection",
      "keep-alive",
      "transfer-encoding",
      "content-encoding",
      "content-length",
    ]) {
      expect(out.has(name), name).toBe(false);
    }
  });
});

describe("forwardToCore", () => {
  it("forwards method, query, body and cookies; returns status, redirect and cookies as the core sent them", async () => {
    let seen: { url: string; init: RequestInit } | undefined;
    const fetchImpl = (async (url: URL, init: RequestInit) => {
      seen = { url: url.toString(), init };
      const headers = new Headers({ location: "http://localhost:3000/" });
      headers.append("set-cookie", "a=1; Path=/");
      headers.append("set-cookie", "b=2; Path=/");
      return new Response(null, { status: 303, headers });
    }) as unknown as typeof fetch;
    const res = await forwardToCore(
      new Request(`${HERA}/.ory/self-service/login?flow=f1`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: "olympus_ciam_csrf=c",
          [PEER_HEADER]: "127.0.0.1",
        },
        body: "identifier=a%40b.c&password=x&method=password",
      }),
      { corePublicUrl: CORE, publicUrl: HERA, fetchImpl },
    );
    expect(seen!.url).toBe(`${CORE}/self-service/login?flow=f1`);
    expect(seen!.init.method).toBe("POST");
    expect(seen!.init.redirect).toBe("manual");
    expect(new Headers(seen!.init.headers).get("cookie")).toBe("olympus_ciam_csrf=c");
    expect(await new Response(seen!.init.body).text()).toBe("identifier=a%40b.c&password=x&method=password");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:3000/");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
  });
  it("answers 502 in the Ory error shape when the core is unreachable", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed");
    }) as unknown as typeof fetch;
    const res = await forwardToCore(
      new Request(`${HERA}/.ory/sessions/whoami`, { headers: { [PEER_HEADER]: "127.0.0.1" } }),
      {
        corePublicUrl: CORE,
        publicUrl: HERA,
        fetchImpl,
      },
    );
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(502);
  });
});
