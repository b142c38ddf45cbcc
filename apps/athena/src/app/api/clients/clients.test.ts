import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientInput, coreFieldOf, filterClients } from "@/lib/core/oauth2-clients";
import { apiRequest, type IamHarness, startIam } from "@/test/iam-core";
import { PUT } from "./[id]/route";
import { POST as rotate } from "./[id]/rotate/route";
import { POST as create } from "./route";

/*
 * Athena's OAuth2 client routes against a real IAM core: the form's fields reach the core (logo and
 * policy links, CORS origins, audience, private_key_jwt with a JWKS URL), what the core refuses
 * comes back on the field it names, and a rotation with an overlap returns the new secret once with
 * the end of the old one — which still works at the token endpoint until then.
 */

let iam: IamHarness;
let admin: string;

beforeAll(async () => {
  iam = await startIam();
  const id = await iam.createIdentity("ada@clients.test", { metadata_admin: { role: "admin" } });
  admin = await iam.cookieFor(id, "ada@clients.test", "admin");
}, 120_000);
afterAll(() => iam?.stop());

const form = (over: Record<string, unknown> = {}) => ({
  client_name: "Billing",
  client_type: "confidential",
  token_endpoint_auth_method: "client_secret_basic",
  grant_types: ["client_credentials"],
  scope: "read",
  ...over,
});

async function createClient(body: Record<string, unknown>) {
  const res = await create(apiRequest("POST", "/api/clients", admin, body), { params: Promise.resolve({}) });
  return { status: res.status, body: (await res.json()) as any };
}

const coreClient = async (id: string) =>
  (await (await fetch(`${iam.core.oauth2AdminUrl}/admin/clients/${id}`)).json()) as Record<string, any>;

const token = (id: string, secret: string) =>
  fetch(`${iam.core.oauth2PublicUrl}/oauth2/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "read" }),
  });

describe("OAuth2 client routes", () => {
  it("registers a client with the consent-screen links, CORS origins and audience the form sends", async () => {
    const { status, body } = await createClient(
      form({
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
        redirect_uris: ["https://app.example.com/cb"],
        logo_uri: "https://app.example.com/logo.png",
        policy_uri: "https://app.example.com/privacy",
        tos_uri: "https://app.example.com/terms",
        allowed_cors_origins: ["https://app.example.com"],
        audience: ["https://api.example.com"],
      }),
    );
    expect(status).toBe(201);
    expect(body.client_secret).toMatch(/^[A-Za-z0-9]{26,}$/);
    expect(await coreClient(body.client_id)).toMatchObject({
      logo_uri: "https://app.example.com/logo.png",
      policy_uri: "https://app.example.com/privacy",
      tos_uri: "https://app.example.com/terms",
      allowed_cors_origins: ["https://app.example.com"],
      audience: ["https://api.example.com"],
      grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
      response_types: ["code"],
    });
  });

  it("registers a private_key_jwt client with a JWKS URL, and has no secret to rotate", async () => {
    const { status, body } = await createClient(
      form({ token_endpoint_auth_method: "private_key_jwt", jwks_uri: "https://app.example.com/jwks.json" }),
    );
    expect(status).toBe(201);
    expect(body.client_secret).toBeNull();
    expect(await coreClient(body.client_id)).toMatchObject({
      token_endpoint_auth_method: "private_key_jwt",
      jwks_uri: "https://app.example.com/jwks.json",
    });
    const res = await rotate(apiRequest("POST", `/api/clients/${body.client_id}/rotate`, admin, {}), {
      params: Promise.resolve({ id: body.client_id }),
    });
    expect(res.status).toBe(409);
  });

  it("registers a client that signs request objects (RFC 9101): its algorithm, request URIs and keys reach the core", async () => {
    const jwk = {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    };
    const { status, body } = await createClient(
      form({
        grant_types: ["authorization_code"],
        redirect_uris: ["https://app.example.com/cb"],
        request_object_keys: true,
        jwks: JSON.stringify({ keys: [jwk] }),
        request_object_signing_alg: "ES256",
        request_uris: ["https://app.example.com/request.jwt"],
      }),
    );
    expect(status, JSON.stringify(body)).toBe(201);
    const stored = await coreClient(body.client_id);
    expect(stored).toMatchObject({
      token_endpoint_auth_method: "client_secret_basic",
      request_object_signing_alg: "ES256",
      request_uris: ["https://app.example.com/request.jwt"],
      jwks: { keys: [expect.objectContaining({ kty: "EC", x: jwk.x })] },
    });
    // Without the keys option the keys are cleared on the next save (as for a method without keys).
    const edit = await PUT(
      apiRequest(
        "PUT",
        `/api/clients/${body.client_id}`,
        admin,
        form({ grant_types: ["authorization_code"], redirect_uris: ["https://app.example.com/cb"] }),
      ),
      { params: Promise.resolve({ id: body.client_id }) },
    );
    expect(edit.status).toBe(200);
    const after = await coreClient(body.client_id);
    expect(after.jwks ?? null).toBeNull();
    expect(after.request_object_signing_alg).toBe("");
    expect(after.request_uris ?? []).toEqual([]);

    // Refused by Athena: keys missing, a request URI that is not a web URL, an algorithm the core lacks.
    const noKeys = await createClient(form({ request_object_keys: true }));
    expect(noKeys.status).toBe(400);
    expect(noKeys.body.error.fields).toHaveProperty("jwks_uri");
    const badUri = await createClient(form({ request_uris: ["javascript:alert(1)"] }));
    expect(badUri.status).toBe(400);
    expect(badUri.body.error.fields).toHaveProperty("request_uris");
    const badAlg = await createClient(form({ request_object_signing_alg: "HS256" }));
    expect(badAlg.status).toBe(400);
    expect(badAlg.body.error.fields).toHaveProperty("request_object_signing_alg");
  });

  it("answers Athena's own validation and the core's refusals on the field they concern", async () => {
    const mine = await createClient(form({ token_endpoint_auth_method: "private_key_jwt" }));
    expect(mine.status).toBe(400);
    expect(mine.body.error.fields).toHaveProperty("jwks_uri");
    const origin = await createClient(form({ allowed_cors_origins: ["https://app.example.com/path"] }));
    expect(origin.status).toBe(400);
    expect(origin.body.error.fields).toHaveProperty("allowed_cors_origins");

    // A private key in the set passes Athena's shape check; the core refuses it, on the jwks field.
    const core = await createClient(
      form({
        token_endpoint_auth_method: "private_key_jwt",
        jwks: JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0" }] }),
      }),
    );
    expect(core.status).toBe(400);
    expect(core.body.error.message).toMatch(/private or symmetric/);
    expect(core.body.error.fields).toEqual({ jwks: core.body.error.message });
  });

  it("edits a client and keeps a rotation's overlap; the old secret works until the end it was given", async () => {
    const { body } = await createClient(form());
    const id = body.client_id as string;
    const res = await rotate(
      apiRequest("POST", `/api/clients/${id}/rotate`, admin, { overlap_seconds: 3600 }),
      { params: Promise.resolve({ id }) },
    );
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { client_secret: string; rotated_secret_expires_at: string };
    expect(Date.parse(rotated.rotated_secret_expires_at)).toBeGreaterThan(Date.now() + 3590_000);

    const edit = await PUT(apiRequest("PUT", `/api/clients/${id}`, admin, form({ client_name: "Renamed" })), {
      params: Promise.resolve({ id }),
    });
    expect(edit.status).toBe(200);
    const after = await coreClient(id);
    expect(after.client_name).toBe("Renamed");
    expect(after.rotated_secret_expires_at).toBe(rotated.rotated_secret_expires_at);
    expect((await token(id, body.client_secret)).status).toBe(200);
    expect((await token(id, rotated.client_secret)).status).toBe(200);

    for (const bad of [{ overlap_seconds: -5 }, { overlap_seconds: 31 * 86400 }, { overlap_seconds: "1h" }]) {
      const refused = await rotate(apiRequest("POST", `/api/clients/${id}/rotate`, admin, bad), {
        params: Promise.resolve({ id }),
      });
      expect(refused.status).toBe(400);
    }
  });
});

describe("token lifetimes", () => {
  it("sets a lifetime per grant, refuses what is not a duration on its field, and clears with empty", async () => {
    const { status, body } = await createClient(
      form({ client_credentials_grant_access_token_lifespan: "30m" }),
    );
    expect(status).toBe(201);
    expect((await coreClient(body.client_id)).client_credentials_grant_access_token_lifespan).toBe("30m0s");
    const res = await token(body.client_id, body.client_secret);
    expect(((await res.json()) as { expires_in: number }).expires_in).toBe(1800);

    const mine = await createClient(form({ client_credentials_grant_access_token_lifespan: "1 hour" }));
    expect(mine.status).toBe(400);
    expect(mine.body.error.fields).toHaveProperty("client_credentials_grant_access_token_lifespan");
    // Longer than the core allows (ten years): the core's refusal, on the same field.
    const core = await createClient(form({ refresh_token_grant_refresh_token_lifespan: "87601h" }));
    expect(core.status).toBe(400);
    expect(Object.keys(core.body.error.fields)).toEqual(["refresh_token_grant_refresh_token_lifespan"]);

    const id = body.client_id as string;
    const cleared = await PUT(apiRequest("PUT", `/api/clients/${id}`, admin, form()), {
      params: Promise.resolve({ id }),
    });
    expect(cleared.status).toBe(200);
    expect((await coreClient(id)).client_credentials_grant_access_token_lifespan).toBeNull();
  });
});

describe("client form helpers", () => {
  it("finds the field a core refusal names", () => {
    expect(coreFieldOf('Field "logo_uri" must be an absolute http or https URL.')).toBe("logo_uri");
    expect(coreFieldOf('Redirect URI "javascript:x" must be an absolute URL without a fragment.')).toBe(
      "redirect_uris",
    );
    expect(coreFieldOf('Grant type "implicit" is not supported.')).toBe("grant_types");
    expect(coreFieldOf('Field "metadata.x" is invalid')).toBeUndefined();
    expect(coreFieldOf("Something else went wrong.")).toBeUndefined();
  });

  it("offers no implicit grant and takes a JWK Set as JSON text", () => {
    expect(clientInput.safeParse(form({ grant_types: ["implicit"] })).success).toBe(false);
    const keyed = clientInput.safeParse(
      form({ token_endpoint_auth_method: "private_key_jwt", jwks: '{"keys":[{"kty":"EC"}]}' }),
    );
    expect(keyed.success && keyed.data.jwks).toEqual({ keys: [{ kty: "EC" }] });
    expect(
      clientInput.safeParse(form({ token_endpoint_auth_method: "private_key_jwt", jwks: "{nope" })).success,
    ).toBe(false);
  });

  it("filters the list by words, type and grant", () => {
    const clients = [
      {
        client_id: "a1",
        client_name: "Billing API",
        token_endpoint_auth_method: "client_secret_basic",
        grant_types: ["client_credentials"],
      },
      {
        client_id: "b2",
        client_name: "Shop",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
        redirect_uris: ["https://shop.example.com/cb"],
      },
      {
        client_id: "c3",
        client_name: "Billing web",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code"],
      },
    ];
    const ids = (f: Parameters<typeof filterClients>[1]) => filterClients(clients, f).map((c) => c.client_id);
    expect(ids({})).toEqual(["a1", "b2", "c3"]);
    expect(ids({ q: "billing" })).toEqual(["a1", "c3"]);
    expect(ids({ q: "billing web" })).toEqual(["c3"]);
    expect(ids({ q: "shop.example.com" })).toEqual(["b2"]);
    expect(ids({ q: "B2" })).toEqual(["b2"]);
    expect(ids({ type: "public" })).toEqual(["b2", "c3"]);
    expect(ids({ grant: "client_credentials" })).toEqual(["a1"]);
    expect(ids({ q: "billing", type: "public" })).toEqual(["c3"]);
  });
});
