import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/*
 * Stand-ins for the two Cloudflare Turnstile pieces the platform talks to, for machines without
 * internet. They implement Cloudflare's documented contracts for its public test keys only:
 *   - siteverify (POST form: secret, response, remoteip): the "always passes" secret
 *     1x0000000000000000000000000000000AA accepts any token, the "always fails" secret 2x…AA none;
 *   - the browser script api.js (`turnstile.render(container, options)`), which for the test site
 *     keys hands out the dummy token XXXX.DUMMY.TOKEN.XXXX.
 * What the core does with the answer, and what Hera and @ory/elements-react do with the widget,
 * are the real thing.
 */

export const TEST_SITE_KEY = "1x00000000000000000000AA";
export const TEST_SECRET_PASS = "1x0000000000000000000000000000000AA";
export const TEST_SECRET_FAIL = "2x0000000000000000000000000000000AA";
export const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

export interface SiteverifyCall {
  secret: string;
  response: string;
  remoteip?: string;
}

export interface SiteverifyStandIn {
  url: string;
  calls: SiteverifyCall[];
  close(): Promise<void>;
}

/** Answers siteverify as Cloudflare does for its test secrets. */
export function siteverifyAnswer(secret: string, response: string): Record<string, unknown> {
  const base = { challenge_ts: new Date().toISOString(), hostname: "localhost", action: "", cdata: "" };
  if (!secret) return { success: false, "error-codes": ["missing-input-secret"] };
  if (!response) return { success: false, "error-codes": ["missing-input-response"] };
  if (secret === TEST_SECRET_PASS) return { success: true, "error-codes": [], ...base };
  if (secret === TEST_SECRET_FAIL) return { success: false, "error-codes": ["invalid-input-response"] };
  return { success: false, "error-codes": ["invalid-input-secret"] };
}

/** Starts the siteverify stand-in on `port` (0: any free port). */
export async function startSiteverify(port = 0): Promise<SiteverifyStandIn> {
  const calls: SiteverifyCall[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method !== "POST" || !req.url?.startsWith("/turnstile/v0/siteverify")) {
      res.writeHead(404).end();
      return;
    }
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => {
      raw += d;
    });
    req.on("end", () => {
      const form = new URLSearchParams(raw);
      const call = {
        secret: form.get("secret") ?? "",
        response: form.get("response") ?? "",
        ...(form.get("remoteip") ? { remoteip: form.get("remoteip")! } : {}),
      };
      calls.push(call);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(siteverifyAnswer(call.secret, call.response)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/turnstile/v0/siteverify`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * The browser side, served in place of https://challenges.cloudflare.com/turnstile/v0/api.js: renders
 * a widget into the container (marked with the site key it was given), fills the response field and
 * calls back with the dummy token, as the real script does for the "always passes" test site key.
 */
export const TURNSTILE_SCRIPT = `(() => {
  let next = 0;
  const widgets = new Map();
  window.turnstile = {
    render(target, opts) {
      const el = typeof target === "string" ? document.querySelector(target) : target;
      const id = "standin-" + ++next;
      el.setAttribute("data-turnstile-sitekey", String(opts.sitekey));
      el.setAttribute("data-turnstile-widget", id);
      if (opts["response-field"] !== false) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = opts["response-field-name"] || "cf-turnstile-response";
        input.value = ${JSON.stringify(DUMMY_TOKEN)};
        el.appendChild(input);
      }
      widgets.set(id, opts);
      setTimeout(() => opts.callback && opts.callback(${JSON.stringify(DUMMY_TOKEN)}), 50);
      return id;
    },
    reset() {},
    remove(id) { widgets.delete(id); },
    getResponse() { return ${JSON.stringify(DUMMY_TOKEN)}; },
    isExpired() { return false; },
    execute() {},
    ready(cb) { cb(); },
  };
  const src = document.currentScript && document.currentScript.src;
  const onload = src ? new URL(src).searchParams.get("onload") : null;
  if (onload && typeof window[onload] === "function") window[onload]();
})();`;
