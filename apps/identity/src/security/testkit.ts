import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Helpers shared by the security tests (not used by the core). */

export interface StandIn {
  url: string;
  requests: { method: string; path: string; headers: IncomingMessage["headers"]; body: string }[];
  close(): Promise<void>;
}

/** A local HTTP server standing in for a third-party API; records every request it receives. */
export async function startStandIn(
  handle: (req: { method: string; path: string; body: string }, res: ServerResponse) => void,
): Promise<StandIn> {
  const requests: StandIn["requests"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const entry = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      requests.push(entry);
      handle(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function json(res: Response): Promise<any> {
  return res.json();
}

/** POSTs JSON to a public endpoint as an API client would (optionally from a given address). */
export function post(
  url: string,
  body: unknown,
  opts: { token?: string; ip?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...(opts.token ? { "x-session-token": opts.token } : {}),
      ...(opts.ip ? { "x-forwarded-for": opts.ip } : {}),
      ...opts.headers,
    },
    body: JSON.stringify(body),
  });
}

export function get(url: string, opts: { token?: string; ip?: string } = {}): Promise<Response> {
  return fetch(url, {
    headers: {
      accept: "application/json",
      ...(opts.token ? { "x-session-token": opts.token } : {}),
      ...(opts.ip ? { "x-forwarded-for": opts.ip } : {}),
    },
  });
}

/** Registers an identity through a native registration flow; returns its id and session token. */
export async function register(
  publicUrl: string,
  email: string,
  password: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; token: string }> {
  const flow = await json(await get(`${publicUrl}/self-service/registration/api`));
  const res = await post(`${publicUrl}/self-service/registration?flow=${flow.id}`, {
    method: "password",
    password,
    traits: { email },
    ...extra,
  });
  const body = await json(res);
  if (res.status !== 200) throw new Error(`registration failed: ${res.status} ${JSON.stringify(body)}`);
  return { id: body.identity.id, token: body.session_token };
}

/**
 * Registers like `register`, then marks the address verified through the admin API (a second factor
 * needs every address of the account verified: selfservice/flow/address-proof.ts).
 */
export async function registerVerified(
  publicUrl: string,
  adminUrl: string,
  email: string,
  password: string,
): Promise<{ id: string; token: string }> {
  const out = await register(publicUrl, email, password);
  const res = await fetch(`${adminUrl}/admin/identities/${out.id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify([{ op: "replace", path: "/verifiable_addresses/0/verified", value: true }]),
  });
  if (res.status !== 200)
    throw new Error(`marking ${email} verified failed: ${res.status} ${await res.text()}`);
  return out;
}

/** Signs in through a native login flow; returns the response and its JSON body. */
export async function login(
  publicUrl: string,
  identifier: string,
  password: string,
  opts: { ip?: string; extra?: Record<string, unknown> } = {},
): Promise<{ res: Response; body: any }> {
  const flow = await json(await get(`${publicUrl}/self-service/login/api`, { ip: opts.ip }));
  const res = await post(
    `${publicUrl}/self-service/login?flow=${flow.id}`,
    { method: "password", identifier, password, ...opts.extra },
    { ip: opts.ip },
  );
  return { res, body: await json(res) };
}

export const messageIds = (body: any): number[] =>
  (body?.ui?.messages ?? []).map((m: { id: number }) => m.id);

export const node = (body: any, name: string): any =>
  body?.ui?.nodes?.find((n: any) => n.attributes.name === name || n.attributes.id === name);
