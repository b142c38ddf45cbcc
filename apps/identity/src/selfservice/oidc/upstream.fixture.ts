import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from "jose";
import Provider from "oidc-provider";

/*
 * A second, independent OpenID provider for the social sign-in tests: panva's oidc-provider (a
 * certified OP) behind a small forwarding proxy on the issuer's address. The proxy passes everything
 * through, or — when a test asks — plays the upstream's failures on the wire: a token answer whose ID
 * token is signed by a key the provider never published, a token endpoint that refuses the code or
 * the client's secret, an
 * authorization endpoint that answers with an error, or no provider at all (the port closed).
 */

export type UpstreamFault = "none" | "bad_signature" | "token_error" | "auth_error" | "wrong_secret";

export interface TestUpstream {
  issuer: string;
  /** Claims per subject; the next interaction signs in as `nextSubject`. */
  accounts: Map<string, Record<string, unknown>>;
  nextSubject: string;
  /** The user refuses consent at the provider. */
  deny: boolean;
  fault: UpstreamFault;
  /** Brings the provider down (the issuer's port stops answering) or back up. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const listen = (s: Server, port = 0) =>
  new Promise<number>((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, "127.0.0.1", () => resolve((s.address() as AddressInfo).port));
  });
const closeServer = (s: Server) =>
  new Promise<void>((r) => {
    s.closeAllConnections?.();
    s.close(() => r());
  });

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Starts the proxy first (its address is the issuer), then — once the caller knows where the core's
 * callback lives — the provider behind it with a confidential client for that redirect URI.
 */
export async function startTestUpstream(): Promise<{
  issuer: string;
  register(client: { clientId: string; clientSecret: string; redirectUris: string[] }): Promise<TestUpstream>;
}> {
  let proxyPort = 0;
  let target = "";
  let state: TestUpstream | undefined;
  const rogue = await generateKeyPair("RS256");
  const proxy = createServer((req, res) => {
    forward(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(502).end(String(e));
    });
  });
  async function forward(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", `http://127.0.0.1:${proxyPort}`);
    if (state?.fault === "auth_error" && url.pathname === "/auth") {
      const back = new URL(url.searchParams.get("redirect_uri") ?? "");
      back.searchParams.set("error", "temporarily_unavailable");
      back.searchParams.set("error_description", "The provider is overloaded.");
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      back.searchParams.set("iss", `http://127.0.0.1:${proxyPort}`);
      res.writeHead(303, { location: back.toString() }).end();
      return;
    }
    const body = req.method === "GET" || req.method === "HEAD" ? undefined : await readAll(req);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && k !== "host" && k !== "connection") headers.set(k, v);
    }
    // The relying party's client secret is not the one the provider holds (a deployment whose two
    // sides were given different secrets): the provider itself refuses the client.
    if (url.pathname === "/token" && state?.fault === "wrong_secret" && headers.has("authorization")) {
      const [id] = Buffer.from(headers.get("authorization")!.replace(/^basic /i, ""), "base64")
        .toString("utf8")
        .split(":");
      headers.set(
        "authorization",
        `Basic ${Buffer.from(`${id}:not-the-secret-it-holds`).toString("base64")}`,
      );
    }
    // The provider writes its endpoints for the address it was reached at: the proxy's.
    headers.set("x-forwarded-host", `127.0.0.1:${proxyPort}`);
    headers.set("x-forwarded-proto", "http");
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body,
      redirect: "manual",
    });
    let out = Buffer.from(await upstream.arrayBuffer());
    if (url.pathname === "/token" && upstream.ok && state?.fault === "bad_signature") {
      const json = JSON.parse(out.toString("utf8")) as { id_token?: string };
      if (json.id_token) {
        // Same header (kid, alg), same claims: only the key differs — one the provider never published.
        const header = decodeProtectedHeader(json.id_token);
        json.id_token = await new SignJWT(decodeJwt(json.id_token))
          .setProtectedHeader({ alg: "RS256", kid: header.kid })
          .sign(rogue.privateKey);
        out = Buffer.from(JSON.stringify(json));
      }
    }
    if (url.pathname === "/token" && state?.fault === "token_error") {
      out = Buffer.from(
        JSON.stringify({ error: "invalid_grant", error_description: "The code was refused." }),
      );
      res.writeHead(400, { "content-type": "application/json" }).end(out);
      return;
    }
    const h: Record<string, string | string[]> = {};
    upstream.headers.forEach((v, k) => {
      if (
        k !== "content-length" &&
        k !== "content-encoding" &&
        k !== "transfer-encoding" &&
        k !== "set-cookie"
      )
        h[k] = v;
    });
    const cookies = upstream.headers.getSetCookie();
    if (cookies.length) h["set-cookie"] = cookies;
    res.writeHead(upstream.status, h).end(out);
  }
  proxyPort = await listen(proxy);
  const issuer = `http://127.0.0.1:${proxyPort}`;

  return {
    issuer,
    async register(client) {
      const accounts = new Map<string, Record<string, unknown>>();
      const signing = await generateKeyPair("RS256", { extractable: true });
      const jwk = {
        ...(await exportJWK(signing.privateKey)),
        kid: "test-upstream-1",
        alg: "RS256",
        use: "sig",
      };
      const op = new Provider(issuer, {
        clients: [
          {
            client_id: client.clientId,
            client_secret: client.clientSecret,
            token_endpoint_auth_method: "client_secret_basic",
            grant_types: ["authorization_code", "refresh_token"],
            response_types: ["code"],
            redirect_uris: client.redirectUris,
          },
        ],
        jwks: { keys: [jwk as never] },
        scopes: ["openid", "email", "profile", "offline_access"],
        claims: {
          openid: ["sub"],
          email: ["email", "email_verified"],
          profile: ["name", "given_name", "family_name"],
        },
        findAccount: async (_ctx, sub) => ({
          accountId: sub,
          claims: async () => ({ sub, ...(accounts.get(sub) ?? {}) }),
        }),
        interactions: { url: (_ctx, i) => `/interaction/${i.uid}` },
        features: { devInteractions: { enabled: false } },
        pkce: { required: () => true },
        cookies: { keys: ["test-upstream-cookie-key"] },
        // Each browser (cookie jar) of a test signs in once; a loaded machine must not expire it midway.
        ttl: { Session: 600 },
      });
      op.proxy = true;
      const handle = op.callback();
      async function interaction(req: IncomingMessage, res: ServerResponse) {
        const details = await op.interactionDetails(req, res);
        if (t.deny) {
          await op.interactionFinished(
            req,
            res,
            { error: "access_denied", error_description: "The user refused." },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        if (details.prompt.name === "login") {
          await op.interactionFinished(
            req,
            res,
            { login: { accountId: t.nextSubject } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        const grant = new op.Grant({
          accountId: details.session!.accountId,
          clientId: String(details.params.client_id),
        });
        grant.addOIDCScope(String(details.params.scope));
        await op.interactionFinished(
          req,
          res,
          { consent: { grantId: await grant.save() } },
          { mergeWithLastSubmission: true },
        );
      }
      const server = createServer((req, res) => {
        if (req.url?.startsWith("/interaction/"))
          interaction(req, res).catch((e) => res.writeHead(500).end(String(e)));
        else handle(req, res);
      });
      target = `http://127.0.0.1:${await listen(server)}`;
      const t: TestUpstream = {
        issuer,
        accounts,
        nextSubject: "",
        deny: false,
        fault: "none",
        async down() {
          await closeServer(proxy);
        },
        async up() {
          await listen(proxy, proxyPort);
        },
        async close() {
          if (proxy.listening) await closeServer(proxy);
          await closeServer(server);
        },
      };
      state = t;
      return t;
    },
  };
}
