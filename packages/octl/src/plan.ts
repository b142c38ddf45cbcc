// Turns a manifest (the built-in one, or a file) into the concrete list of services to start:
// filtered by --only (plus what they depend on), ports overridden, placeholders filled in, sorted
// in dependency order.
import type { BuildSpec } from "./build.ts";
import { databaseDsn, deploymentSecret } from "./secrets.ts";
import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type HealthCheck,
  type PortSpec,
  type RestartPolicy,
  resolveBin,
  type ServiceManifest,
  services as builtInServices,
} from "./manifest.ts";
import { type Layout, serviceLog } from "./paths.ts";

export class PlanError extends Error {}

export type ResolvedHealth = { kind: "http"; url: string } | { kind: "tcp"; port: number };

export interface ResolvedService {
  name: string;
  description: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  ports: PortSpec[];
  health: ResolvedHealth;
  /** How long the service may take from spawn to healthy. */
  healthTimeoutMs: number;
  dependsOn: string[];
  urls: { label: string; url: string }[];
  credentials: { label: string; value: string }[];
  /** The first of `urls`, or null. */
  url: string | null;
  dataDir: string;
  logFile: string;
  restart: Required<RestartPolicy>;
  stopTimeoutMs: number;
  build?: BuildSpec;
}

export interface LoadedManifest {
  services: ServiceManifest[];
  /** Folder relative paths and `{manifestDir}` are resolved against. */
  dir: string;
  /** The file it came from, or "built-in". */
  source: string;
}

export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
export const DEFAULT_RESTART: Required<RestartPolicy> = {
  initialDelayMs: 250,
  maxDelayMs: 10_000,
  minUptimeMs: 10_000,
  maxQuickCrashes: 5,
};

const NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The manifest file to use: the flag, else OLYMPUS_MANIFEST, else none (built-in). */
export function manifestPath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const file = flag ?? (env["OLYMPUS_MANIFEST"] || undefined);
  return file ? resolve(file) : undefined;
}

/**
 * Loads a manifest: JSON (`[...]` or `{ "services": [...] }`), or a JS/TS module whose default
 * export or `services` export is the list. Without a file, the built-in manifest.
 */
export async function loadManifest(file: string | undefined, root: string): Promise<LoadedManifest> {
  if (!file)
    return {
      services: validateManifest(builtInServices, "built-in manifest"),
      dir: root,
      source: "built-in",
    };
  if (!existsSync(file)) throw new PlanError(`manifest ${file} does not exist`);
  let data: unknown;
  if (extname(file) === ".json") {
    try {
      data = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new PlanError(`manifest ${file} is not valid JSON: ${(err as Error).message}`);
    }
  } else {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; services?: unknown };
    data = mod.services ?? mod.default;
  }
  if (data && typeof data === "object" && !Array.isArray(data) && "services" in data) {
    data = (data as { services: unknown }).services;
  }
  return { services: validateManifest(data, file), dir: dirname(file), source: file };
}

/** Checks a manifest's shape, with messages that say which entry and field is wrong. */
export function validateManifest(data: unknown, source: string): ServiceManifest[] {
  const fail = (msg: string): never => {
    throw new PlanError(`${source}: ${msg}`);
  };
  if (!Array.isArray(data)) fail("expected a list of services (or { services: [...] })");
  const list = data as unknown[];
  const names = new Set<string>();
  list.forEach((entry, i) => {
    const at = `services[${i}]`;
    if (!entry || typeof entry !== "object") fail(`${at} is not an object`);
    const s = entry as Record<string, unknown>;
    const where = typeof s["name"] === "string" ? `service "${s["name"]}"` : at;
    if (typeof s["name"] !== "string" || !NAME.test(s["name"])) {
      fail(`${at}.name must be lower-case letters, digits and dashes`);
    }
    if (names.has(s["name"] as string)) fail(`${where} is listed twice`);
    names.add(s["name"] as string);
    if (typeof s["description"] !== "string") fail(`${where}: description must be a string`);
    const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
    if (!isStrings(s["command"]) || (s["command"] as string[]).length === 0) {
      fail(`${where}: command must be a non-empty list of strings (argv)`);
    }
    if (s["cwd"] !== undefined && typeof s["cwd"] !== "string") fail(`${where}: cwd must be a string`);
    if (
      s["env"] !== undefined &&
      (typeof s["env"] !== "object" ||
        s["env"] === null ||
        Object.values(s["env"]).some((v) => typeof v !== "string"))
    ) {
      fail(`${where}: env must map names to strings`);
    }
    if (!Array.isArray(s["ports"])) fail(`${where}: ports must be a list of { name, port }`);
    const portNames = new Set<string>();
    for (const p of s["ports"] as unknown[]) {
      const port = p as Partial<PortSpec> | null;
      if (!port || typeof port.name !== "string" || !validPort(port.port)) {
        fail(`${where}: every port needs a name and a port number between 1 and 65535`);
      }
      if (portNames.has(port!.name!)) fail(`${where}: port name "${port!.name}" is used twice`);
      portNames.add(port!.name!);
    }
    const h = s["health"] as Record<string, unknown> | undefined;
    if (!h || typeof h !== "object" || (typeof h["url"] !== "string" && h["tcp"] === undefined)) {
      fail(`${where}: health must be { url } or { tcp }`);
    }
    if (!isStrings(s["dependsOn"])) fail(`${where}: dependsOn must be a list of service names`);
    const isPairs = (v: unknown, key: string) =>
      Array.isArray(v) &&
      v.every((x) => x && typeof x === "object" && typeof x.label === "string" && typeof x[key] === "string");
    if (!isPairs(s["urls"], "url")) fail(`${where}: urls must be a list of { label, url }`);
    if (s["credentials"] !== undefined && !isPairs(s["credentials"], "value")) {
      fail(`${where}: credentials must be a list of { label, value }`);
    }
  });
  for (const entry of list as ServiceManifest[]) {
    for (const dep of entry.dependsOn) {
      if (!names.has(dep)) fail(`service "${entry.name}" depends on unknown service "${dep}"`);
    }
  }
  return list as ServiceManifest[];
}

function validPort(p: unknown): p is number {
  return typeof p === "number" && Number.isInteger(p) && p > 0 && p < 65536;
}

/** Parses overrides such as `mailcatcher.http=15434` or `mailcatcher=15434` (its first port). */
export function parsePortOverrides(
  specs: string[],
  manifest: ServiceManifest[],
): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const raw of specs.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean)) {
    const m = /^([a-z0-9-]+)(?:\.([A-Za-z0-9_-]+))?=(\d+)$/.exec(raw);
    if (!m)
      throw new PlanError(
        `bad port override "${raw}": expected service.port=number, e.g. mailcatcher.http=5434`,
      );
    const [, svcName, portName, value] = m as unknown as [string, string, string | undefined, string];
    const svc = manifest.find((s) => s.name === svcName);
    if (!svc) throw new PlanError(`bad port override "${raw}": no service named "${svcName}"`);
    const spec = portName ? svc.ports.find((p) => p.name === portName) : svc.ports[0];
    if (!spec) {
      const known = svc.ports.map((p) => p.name).join(", ") || "none";
      throw new PlanError(
        `bad port override "${raw}": ${svcName} has no port "${portName}" (ports: ${known})`,
      );
    }
    const port = Number(value);
    if (!validPort(port)) throw new PlanError(`bad port override "${raw}": ${value} is not a port number`);
    if (!out.has(svcName)) out.set(svcName, new Map());
    out.get(svcName)!.set(spec.name, port);
  }
  return out;
}

/** Sorts services so that every service comes after what it depends on; fails on cycles. */
export function dependencyOrder<T extends { name: string; dependsOn: string[] }>(list: T[]): T[] {
  const byName = new Map(list.map((s) => [s.name, s]));
  const done = new Set<string>();
  const visiting: string[] = [];
  const out: T[] = [];
  const visit = (s: T) => {
    if (done.has(s.name)) return;
    const at = visiting.indexOf(s.name);
    if (at >= 0) throw new PlanError(`dependency cycle: ${[...visiting.slice(at), s.name].join(" -> ")}`);
    visiting.push(s.name);
    for (const dep of s.dependsOn) {
      const d = byName.get(dep);
      if (d) visit(d);
    }
    visiting.pop();
    done.add(s.name);
    out.push(s);
  };
  for (const s of list) visit(s);
  return out;
}

export interface PlanOptions {
  layout: Layout;
  /** Folder of the manifest. */
  manifestDir: string;
  /** A PostgreSQL server URL: `{database.NAME}` then names database `olympus_NAME` on it instead of a PGlite directory. */
  databaseUrl?: string;
  /** Service names; their dependencies are added. Empty or undefined: every service. */
  only?: string[];
  /** `service.port=number` overrides (also read from OLYMPUS_PORTS). */
  ports?: string[];
  /** Overrides every service's health timeout. */
  healthTimeoutMs?: number;
}

/** Which services to start, resolved and in dependency order. */
export function planDeploy(manifest: ServiceManifest[], opts: PlanOptions): ResolvedService[] {
  const byName = new Map(manifest.map((s) => [s.name, s]));
  let selected = manifest;
  const only = (opts.only ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
  if (only.length) {
    const want = new Set<string>();
    const add = (name: string) => {
      if (want.has(name)) return;
      const s = byName.get(name);
      if (!s)
        throw new PlanError(
          `unknown service "${name}" (services: ${manifest.map((m) => m.name).join(", ")})`,
        );
      want.add(name);
      for (const d of s.dependsOn) add(d);
    };
    for (const n of only) add(n);
    selected = manifest.filter((s) => want.has(s.name));
  }
  const overrides = parsePortOverrides(
    [...(opts.ports ?? []), ...(process.env["OLYMPUS_PORTS"] ? [process.env["OLYMPUS_PORTS"]] : [])],
    manifest,
  );
  // A service may name another's port ({peer.SERVICE:PORT}), overridden or not.
  const peerPort = (service: string, port: string): number | undefined =>
    overrides.get(service)?.get(port) ??
    manifest.find((m) => m.name === service)?.ports.find((p) => p.name === port)?.port;
  const resolved = dependencyOrder(selected).map((s) =>
    resolveService(s, overrides.get(s.name), opts, peerPort),
  );
  const seen = new Map<number, string>();
  for (const s of resolved) {
    for (const p of s.ports) {
      const other = seen.get(p.port);
      if (other)
        throw new PlanError(`port ${p.port} is used twice: by ${other} and by ${s.name} (${p.name})`);
      seen.set(p.port, `${s.name} (${p.name})`);
    }
  }
  return resolved;
}

function resolveService(
  s: ServiceManifest,
  overrides: Map<string, number> | undefined,
  opts: PlanOptions,
  peerPort: (service: string, port: string) => number | undefined,
): ResolvedService {
  const ports = s.ports.map((p) => ({ name: p.name, port: overrides?.get(p.name) ?? p.port }));
  const dataDir = join(opts.layout.data, s.name);
  const fill = (text: string): string =>
    text.replace(
      /\{([A-Za-z]+)(?:\.([^}:]+)(?::([^}]+))?)?\}/g,
      (whole, key: string, arg?: string, arg2?: string) => {
        switch (key) {
          case "port": {
            const p = ports.find((x) => x.name === arg);
            if (!p) throw new PlanError(`service "${s.name}": ${whole} names no port of this service`);
            return String(p.port);
          }
          case "data":
            return dataDir;
          case "home":
            return opts.layout.home;
          case "root":
            return opts.layout.root;
          case "node":
            return process.execPath;
          case "manifestDir":
            return opts.manifestDir;
          case "peer": {
            const port = arg && arg2 ? peerPort(arg, arg2) : undefined;
            if (port === undefined) throw new PlanError(`service "${s.name}": ${whole} names no known port`);
            return String(port);
          }
          case "secret":
            if (!arg) throw new PlanError(`service "${s.name}": {secret.NAME} needs a name`);
            return deploymentSecret(opts.layout.home, arg, arg2 ? Number(arg2) : 32);
          case "database":
            if (!arg) throw new PlanError(`service "${s.name}": {database.NAME} needs a name`);
            return databaseDsn(arg, dataDir, opts.databaseUrl);
          case "bin":
            if (!arg) throw new PlanError(`service "${s.name}": {bin.PACKAGE} needs a package name`);
            try {
              return resolveBin(arg, arg2 ?? arg.replace(/^@[^/]+\//, ""));
            } catch (err) {
              throw new PlanError(`service "${s.name}": ${(err as Error).message}`);
            }
          default:
            return whole;
        }
      },
    );
  const urls = s.urls.map((u) => ({ label: fill(u.label), url: fill(u.url) }));
  return {
    name: s.name,
    description: s.description,
    command: s.command.map(fill),
    cwd: s.cwd ? resolve(opts.manifestDir, fill(s.cwd)) : opts.manifestDir,
    env: Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, fill(v)])),
    ports,
    health: resolveHealth(s, s.health, ports, fill),
    healthTimeoutMs: opts.healthTimeoutMs ?? s.health.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    dependsOn: [...s.dependsOn],
    urls,
    credentials: (s.credentials ?? []).map((c) => ({ label: fill(c.label), value: fill(c.value) })),
    url: urls[0]?.url ?? null,
    dataDir,
    logFile: serviceLog(opts.layout, s.name),
    restart: { ...DEFAULT_RESTART, ...s.restart },
    stopTimeoutMs: s.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS,
    ...(s.build ? { build: s.build } : {}),
  };
}

function resolveHealth(
  s: ServiceManifest,
  h: HealthCheck,
  ports: PortSpec[],
  fill: (t: string) => string,
): ResolvedHealth {
  if ("url" in h) return { kind: "http", url: fill(h.url) };
  const tcp = h.tcp;
  if (typeof tcp === "number") {
    // The port as declared; when that port was overridden, the override.
    const idx = s.ports.findIndex((p) => p.port === tcp);
    return { kind: "tcp", port: idx >= 0 ? ports[idx]!.port : tcp };
  }
  const named = ports.find((p) => p.name === tcp);
  if (named) return { kind: "tcp", port: named.port };
  const n = Number(fill(tcp));
  if (!validPort(n))
    throw new PlanError(`service "${s.name}": health.tcp "${tcp}" is neither a port nor a port name`);
  return { kind: "tcp", port: n };
}
