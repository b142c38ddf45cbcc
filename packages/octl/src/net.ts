// Port checks (before anything is spawned) and health probes.
import { createConnection, createServer } from "node:net";
import type { ResolvedHealth, ResolvedService } from "./plan.ts";

/** Tries to listen on host:port; resolves with the error code when that fails, undefined when it worked. */
function tryListen(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? "ERROR"));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(undefined)));
  });
}

/** Resolves true when something accepts connections on host:port. */
function tryConnect(port: number, host: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/** Codes meaning "this address family or address does not exist here": not a conflict. */
const UNAVAILABLE = new Set(["EADDRNOTAVAIL", "EAFNOSUPPORT", "EPROTONOSUPPORT", "EINVAL"]);

/**
 * Why a port cannot be used, or undefined when it is free: binds it on 127.0.0.1 and on :: (which
 * also covers 0.0.0.0 and ::1 listeners), then tries to connect on 127.0.0.1 and ::1.
 */
export async function portProblem(port: number): Promise<string | undefined> {
  for (const host of ["127.0.0.1", "::"]) {
    const code = await tryListen(port, host);
    if (code === undefined || UNAVAILABLE.has(code)) continue;
    if (code === "EADDRINUSE") return "already in use";
    if (code === "EACCES") return "not permitted (privileged port)";
    return `cannot be bound (${code})`;
  }
  for (const host of ["127.0.0.1", "::1"]) {
    if (await tryConnect(port, host)) return "already in use";
  }
  return undefined;
}

export interface PortConflict {
  service: string;
  portName: string;
  port: number;
  problem: string;
}

/** Every port of every service that cannot be used right now. */
export async function findPortConflicts(services: ResolvedService[]): Promise<PortConflict[]> {
  const out: PortConflict[] = [];
  for (const s of services) {
    for (const p of s.ports) {
      const problem = await portProblem(p.port);
      if (problem) out.push({ service: s.name, portName: p.name, port: p.port, problem });
    }
  }
  return out;
}

export function describeConflict(c: PortConflict): string {
  return `${c.service}: port ${c.port} (${c.portName}) is ${c.problem}`;
}

/** One health probe: HTTP GET answering 2xx, or a TCP port accepting a connection. */
export async function probe(health: ResolvedHealth, timeoutMs = 2_000): Promise<boolean> {
  if (health.kind === "tcp") {
    return (
      (await tryConnect(health.port, "127.0.0.1", timeoutMs)) ||
      (await tryConnect(health.port, "::1", timeoutMs))
    );
  }
  try {
    const res = await fetch(health.url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300;
  } catch {
    return false;
  }
}
