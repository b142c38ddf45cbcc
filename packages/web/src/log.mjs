// @ts-check
// JSON-line logs for the Next.js apps, in the shape the identity core writes (`time`, `level`,
// `service`, `msg`, then fields), and a request id per request that Hera passes on to the core.
//
// Request logging sits where Node's HTTP server hands a request over ("request" event), before Next
// reads it: a route handler or the proxy cannot see the response's final status, Node can.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { format } from "node:util";

/** What the identity core accepts as a caller's X-Request-Id: 8 to 128 of [A-Za-z0-9._:-]. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;
export const REQUEST_ID_HEADER = "x-request-id";

const LEVELS = /** @type {const} */ (["debug", "info", "warn", "error"]);

/**
 * @param {unknown} value
 * @returns {unknown}
 */
function plain(value) {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  }
  return value;
}

/**
 * A logger for `service` that writes one JSON object per line (`write` defaults to stdout for
 * debug/info and stderr for warn/error). Fields never override `time`, `level`, `service`, `msg`.
 * @param {string} service
 * @param {{ write?: (line: string, level: string) => void }} [o]
 * @returns {import("./log.d.mts").Logger}
 */
export function createLogger(service, o = {}) {
  const write =
    o.write ??
    ((line, level) => (level === "warn" || level === "error" ? process.stderr : process.stdout).write(line));
  /** @param {string} level @param {string} msg @param {Record<string, unknown>} [fields] */
  const log = (level, msg, fields = {}) => {
    /** @type {Record<string, unknown>} */
    const entry = {};
    for (const [k, v] of Object.entries(fields)) entry[k] = plain(v);
    let line;
    try {
      line = JSON.stringify({ ...entry, time: new Date().toISOString(), level, service, msg });
    } catch {
      line = JSON.stringify({
        time: new Date().toISOString(),
        level,
        service,
        msg,
        fields: "unserialisable",
      });
    }
    write(`${line}\n`, level);
  };
  return /** @type {import("./log.d.mts").Logger} */ (
    Object.fromEntries(
      LEVELS.map((level) => [level, (/** @type {string} */ msg, /** @type {any} */ f) => log(level, msg, f)]),
    )
  );
}

/**
 * Routes console.log/info/warn/error/debug through `logger`, so what Next.js itself prints (its
 * start banner, a server error's stack) is a JSON line too: the arguments formatted as console would
 * print them, as `msg`. Idempotent.
 * @param {import("./log.d.mts").Logger} logger
 * @param {Console} [target]
 */
export function routeConsole(logger, target = console) {
  const c = /** @type {Console & { [ROUTED]?: true }} */ (target);
  if (c[ROUTED]) return;
  /** @type {Array<[keyof Console, import("./log.d.mts").Level]>} */
  const map = [
    ["log", "info"],
    ["info", "info"],
    ["debug", "debug"],
    ["warn", "warn"],
    ["error", "error"],
  ];
  for (const [method, level] of map) {
    /** @type {any} */ (c)[method] = (/** @type {unknown[]} */ ...args) =>
      logger[level](format(...args).trim());
  }
  c[ROUTED] = true;
}
const ROUTED = Symbol.for("olympus.web.console-routed");

/**
 * The request id for an incoming request: the caller's X-Request-Id when `trustIncoming` and it is
 * well formed, else a new UUID.
 * @param {string | string[] | undefined} given
 * @param {boolean} trustIncoming
 */
export function requestIdFor(given, trustIncoming) {
  const v = Array.isArray(given) ? given[0] : given;
  return trustIncoming && v && REQUEST_ID.test(v) ? v : randomUUID();
}

const INSTALLED = Symbol.for("olympus.web.request-logging");

// One store per process, whichever bundle (Next compiles instrumentation and routes separately)
// loaded this module.
const STORE = Symbol.for("olympus.web.request-id");
const g = /** @type {{ [STORE]?: AsyncLocalStorage<string> }} */ (globalThis);
g[STORE] ??= new AsyncLocalStorage();
const context = g[STORE];

/** The id of the request being served (set by {@link installRequestLogging}), if any. */
export function currentRequestId() {
  return context.getStore();
}

/**
 * Installs request ids and request logging on every Node HTTP server of this process (idempotent):
 * each request gets an id (see {@link requestIdFor}) set as its X-Request-Id request header — where
 * the app's server code reads it and sends it on to the identity core — and in the response, and
 * one `request` line when the response is finished or the connection closed (`request_id`, `method`,
 * `path` without the query, `status`, `duration_ms`). Paths for which `quiet` returns true (static
 * assets, health probes) get the id but no line. The server handles the request inside an async
 * context that carries the id ({@link currentRequestId}), which is how calls to the core find it
 * without Next's `headers()` (that would make every page that calls the core dynamic).
 * @param {import("node:http").Server} serverPrototype
 * @param {{ logger: import("./log.d.mts").Logger; trustIncoming?: boolean; quiet?: (path: string) => boolean }} o
 */
export function installRequestLogging(serverPrototype, o) {
  /** @typedef {(this: unknown, event: string | symbol, ...args: unknown[]) => boolean} Emit */
  const proto = /** @type {{ emit: Emit; [INSTALLED]?: true }} */ (/** @type {unknown} */ (serverPrototype));
  if (proto[INSTALLED]) return;
  const emit = proto.emit;
  proto.emit = function (event, ...args) {
    if (event === "request") {
      const id = observe(
        /** @type {import("node:http").IncomingMessage} */ (args[0]),
        /** @type {import("node:http").ServerResponse} */ (args[1]),
        o,
      );
      return context.run(id, () => emit.call(this, event, ...args));
    }
    return emit.call(this, event, ...args);
  };
  proto[INSTALLED] = true;
}

/**
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 * @param {{ logger: import("./log.d.mts").Logger; trustIncoming?: boolean; quiet?: (path: string) => boolean }} o
 * @returns {string} the request's id
 */
export function observe(req, res, o) {
  const id = requestIdFor(req.headers[REQUEST_ID_HEADER], o.trustIncoming ?? false);
  req.headers[REQUEST_ID_HEADER] = id;
  if (typeof res?.setHeader === "function" && !res.headersSent) res.setHeader("X-Request-Id", id);
  const path = (req.url ?? "/").split("?")[0]?.slice(0, 200) ?? "/";
  if (o.quiet?.(path) || typeof res?.once !== "function") return id;
  const start = performance.now();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    o.logger.info("request", {
      request_id: id,
      method: req.method,
      path,
      status: res.writableFinished ? res.statusCode : 499,
      duration_ms: Math.round((performance.now() - start) * 10) / 10,
    });
  };
  res.once("finish", finish);
  res.once("close", finish);
  return id;
}

/**
 * Static assets and health probes: no request line.
 * @param {string} path
 */
export function quietNextPath(path) {
  return path.startsWith("/_next/") || path === "/favicon.ico" || path.startsWith("/api/health");
}

/**
 * A fetch that sends the current request's id on to the service it calls (Hera and Athena to the
 * identity core, whose request log then names the same id). `currentId` defaults to
 * {@link currentRequestId}; outside a request, or when the id is not well formed, nothing is added.
 * @param {typeof fetch} fetchImpl
 * @param {() => string | null | undefined | Promise<string | null | undefined>} [currentId]
 * @returns {typeof fetch}
 */
export function fetchWithRequestId(fetchImpl, currentId = currentRequestId) {
  return async (input, init) => {
    let id;
    try {
      id = await currentId();
    } catch {
      id = undefined;
    }
    if (!id || !REQUEST_ID.test(id)) return fetchImpl(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(REQUEST_ID_HEADER, id);
    return fetchImpl(input, { ...init, headers });
  };
}
