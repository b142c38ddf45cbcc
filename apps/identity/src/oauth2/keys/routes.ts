import type { Hono } from "hono";
import type { JWK } from "jose";
import { z } from "zod";
import { badRequest, OryError } from "../../errors/index.ts";
import { readJson } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
import { KeyError } from "./store.ts";

const createBody = z.object({
  alg: z.string().min(1),
  kid: z.string().max(255).optional(),
  use: z.enum(["sig", "enc"]).default("sig"),
});

const setNotFound = (set: string) =>
  new OryError(404, "Unable to locate the resource", {
    reason: `The JSON Web Key Set "${set}" does not exist.`,
  });

function asBadRequest(e: unknown): never {
  if (e instanceof KeyError) throw badRequest(e.message);
  throw e;
}

function validSetName(set: string): string {
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(set))
    throw badRequest("The key set name contains invalid characters.");
  return set;
}

/**
 * Hydra's JwkApi (/admin/keys). Only public key material ever leaves the server: private keys are
 * generated or imported here and stay encrypted in the database.
 */
export function registerKeyRoutes(admin: Hono, o2: OAuth2): void {
  const store = o2.jwks;

  admin.post("/keys/:set", async (c) => {
    const set = validSetName(c.req.param("set"));
    const parsed = createBody.safeParse(await readJson(c));
    if (!parsed.success) throw badRequest(`Invalid key request: ${parsed.error.issues[0]!.message}`);
    const jwk = await store.generate(set, parsed.data).catch(asBadRequest);
    return c.json({ keys: [jwk] }, 201);
  });

  admin.get("/keys/:set", async (c) => {
    const set = validSetName(c.req.param("set"));
    const keys = await store.getSet(set);
    if (!keys.length) throw setNotFound(set);
    return c.json({ keys });
  });

  admin.put("/keys/:set", async (c) => {
    const set = validSetName(c.req.param("set"));
    const body = await readJson(c);
    if (!Array.isArray(body.keys)) throw badRequest('The body must be a JSON Web Key Set: {"keys": [...]}.');
    const keys = await store.replaceSet(set, body.keys as JWK[]).catch(asBadRequest);
    return c.json({ keys });
  });

  admin.delete("/keys/:set", async (c) => {
    const set = validSetName(c.req.param("set"));
    if (!(await store.deleteSet(set))) throw setNotFound(set);
    return c.body(null, 204);
  });

  admin.get("/keys/:set/:kid", async (c) => {
    const set = validSetName(c.req.param("set"));
    const key = await store.getKey(set, c.req.param("kid"));
    if (!key) throw setNotFound(set);
    return c.json({ keys: [key] });
  });

  admin.put("/keys/:set/:kid", async (c) => {
    const set = validSetName(c.req.param("set"));
    const body = (await readJson(c)) as JWK;
    if (body.kid && body.kid !== c.req.param("kid"))
      throw badRequest("The kid of the body does not match the URL.");
    const key = await store.put(set, { ...body, kid: c.req.param("kid") }, false).catch(asBadRequest);
    return c.json(key);
  });

  admin.delete("/keys/:set/:kid", async (c) => {
    const set = validSetName(c.req.param("set"));
    if (!(await store.deleteKey(set, c.req.param("kid")))) throw setNotFound(set);
    return c.body(null, 204);
  });
}

/** GET /.well-known/jwks.json: the public keys that may verify ID tokens and JWT access tokens. */
export function registerJwksRoute(app: Hono, o2: OAuth2): void {
  app.get("/.well-known/jwks.json", async (c) => c.json({ keys: await o2.jwks.publishedKeys() }));
}
