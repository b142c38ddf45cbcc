import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DocumentServer,
  type OAuth2TestCore,
  postForm,
  serveDocuments,
  startOAuth2Core,
} from "../test-helpers.ts";
import { fetchableUrl, fetchRemote, isPrivateAddress, RemoteError } from "./fetch.ts";

const policy = { disallowPrivate: true, exceptions: [], timeoutMs: 1_000, maxBytes: 4096 };

describe("what the server may fetch", () => {
  it("only absolute http(s) URLs without credentials", () => {
    expect(fetchableUrl("https://client.example/jwks.json")?.host).toBe("client.example");
    for (const bad of [
      "file:///etc/passwd",
      "data:,{}",
      "gopher://x/",
      "/relative",
      "https://user:pw@client.example/",
    ]) {
      expect(fetchableUrl(bad), bad).toBeUndefined();
    }
  });

  it("private, loopback, link-local and reserved addresses are not public; mapped IPv6 too", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isPrivateAddress(a), a).toBe(false);
    }
  });

  it("a name that resolves to loopback is refused when private addresses are disallowed", async () => {
    const site = await serveDocuments();
    try {
      site.set("/doc.json", { ok: true });
      const port = new URL(site.url("/")).port;
      await expect(fetchRemote(`http://localhost:${port}/doc.json`, policy)).rejects.toThrow(
        /not a public address/,
      );
      await expect(fetchRemote(site.url("/doc.json"), policy)).rejects.toThrow(/not a public address/);
      expect(site.hits("/doc.json")).toBe(0);
      // Allowed when it is an exception, or when private addresses are allowed.
      const doc = await fetchRemote(site.url("/doc.json"), {
        ...policy,
        exceptions: [site.url("/doc.json")],
      });
      expect(JSON.parse(doc.body)).toEqual({ ok: true });
    } finally {
      await site.close();
    }
  });

  it("a redirect to a non-http URL, a silent server and an oversized document all fail with RemoteError", async () => {
    const site = await serveDocuments();
    const silent = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const open = { ...policy, disallowPrivate: false };
    try {
      const redirector = createServer((_req, res) =>
        res.writeHead(302, { location: "file:///etc/passwd" }).end(),
      );
      await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
      const rport = (redirector.address() as { port: number }).port;
      await expect(fetchRemote(`http://127.0.0.1:${rport}/`, open)).rejects.toThrow(/can not be fetched/);
      redirector.close();
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      await expect(fetchRemote(`http://127.0.0.1:${port}/`, open)).rejects.toBeInstanceOf(RemoteError);
      expect(Date.now() - started).toBeLessThan(5_000);
      site.set("/big.json", "x".repeat(10_000));
      await expect(fetchRemote(site.url("/big.json"), open)).rejects.toThrow(/larger than 4096 bytes/);
    } finally {
      silent.closeAllConnections();
      silent.close();
      await site.close();
    }
  });
});

describe("a core with oauth2.clients.http.disallow_private_ip_ranges", () => {
  let t: OAuth2TestCore;
  let site: DocumentServer;
  beforeAll(async () => {
    site = await serveDocuments();
    t = await startOAuth2Core({
      oauth2: {
        clients: {
          http: {
            disallow_private_ip_ranges: true,
            private_ip_exception_urls: [site.url("/allowed/jwks.json")],
          },
        },
      },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await site?.close();
  });

  it("refuses a jwks_uri on a loopback address, but fetches one listed as an exception", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    site.set("/private/jwks.json", { keys: [jwk] });
    site.set("/allowed/jwks.json", { keys: [jwk] });
    const attempt = async (path: string) => {
      const res = await t.admin("/admin/clients", {
        method: "POST",
        body: JSON.stringify({
          grant_types: ["client_credentials"],
          scope: "read",
          token_endpoint_auth_method: "private_key_jwt",
          jwks_uri: site.url(path),
        }),
      });
      const { client_id } = (await res.json()) as { client_id: string };
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({
        iss: client_id,
        sub: client_id,
        aud: t.issuer,
        jti: randomUUID(),
        iat: now,
        exp: now + 60,
      })
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .sign(privateKey);
      return postForm(t, "/oauth2/token", {
        grant_type: "client_credentials",
        scope: "read",
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      });
    };
    const refused = await attempt("/private/jwks.json");
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error_description: string }).error_description).toMatch(
      /not a public address/,
    );
    expect(site.hits("/private/jwks.json")).toBe(0);
    const allowed = await attempt("/allowed/jwks.json");
    expect(allowed.status, await allowed.clone().text()).toBe(200);
  });
});
