import fastJsonPatch, { type Operation as JsonPatchOperation } from "fast-json-patch";
import type { Context, Hono } from "hono";
import { isUniqueViolation } from "../../db/errors.ts";
import { badRequest, OryError } from "../../errors/index.ts";
import { pageParams, setLinkHeader } from "../../http/pagination.ts";
import { decodeJsonBody } from "../../http/request.ts";
import { setAuditDetail } from "../../audit/admin-audit.ts";
import { OAuth2Error } from "../errors.ts";
import { readJson } from "../http.ts";
import type { OAuth2 } from "../runtime.ts";
import { z } from "zod";
import {
  activePreviousSecret,
  type ClientData,
  MAX_ROTATION_OVERLAP_SECONDS,
  chooseSecret,
  clientToInput,
  clientToWire,
  hasSecret,
  lifespansInput,
  normalizeLifespans,
  newClientId,
  newClientSecret,
  normalizeClient,
  parseClientInput,
  type ClientInput,
  type ClientRecord,
} from "./model.ts";
import {
  deleteClient,
  findClient,
  hashClientSecret,
  insertClient,
  listClients,
  sealClientSecret,
  updateClient,
} from "./repository.ts";
import { checkClientDocuments } from "./documents.ts";

export const clientNotFound = () =>
  new OryError(404, "Unable to locate the resource", {
    reason: "The requested OAuth 2.0 Client does not exist.",
  });

async function mustFind(o2: OAuth2, id: string): Promise<ClientRecord> {
  const client = await findClient(o2.ctx.db, id);
  if (!client) throw clientNotFound();
  return client;
}

/**
 * Replaces a client's fields (PUT, PATCH): the secret stays unless a new one is given; a client that
 * becomes confidential without one gets a new secret, returned once.
 */
async function replaceClient(o2: OAuth2, current: ClientRecord, input: ClientInput) {
  if (input.client_id !== undefined && input.client_id !== current.id) {
    throw new OAuth2Error("invalid_client_metadata", 'Field "client_id" can not be changed.');
  }
  const data = normalizeClient(input, o2.cfg);
  await checkClientDocuments(o2, data);
  const method = data.token_endpoint_auth_method;
  let secret: string | undefined;
  let secretHash = current.secretHash;
  let secretSealed = method === "client_secret_jwt" ? current.secretSealed : null;
  if (!hasSecret(data)) secretHash = null;
  else if (input.client_secret) secret = chooseSecret(input, data);
  // A client that becomes client_secret_jwt needs its secret in clear for HMAC: only a new one can be had.
  else if (!secretHash || (method === "client_secret_jwt" && !secretSealed)) secret = newClientSecret(method);
  if (secret) {
    secretHash = hashClientSecret(o2, secret);
    secretSealed = method === "client_secret_jwt" ? sealClientSecret(o2, current.id, secret) : null;
  }
  // A rotation's overlap survives an edit that keeps the secret; a new secret (or none) ends it.
  const previous = activePreviousSecret(current.data);
  if (previous && !secret && secretHash && (method !== "client_secret_jwt" || previous.sealed)) {
    data.previous_secret = previous;
  }
  const updated = await updateClient(o2.ctx.db, current.id, {
    secretHash,
    secretSealed,
    clientName: input.client_name ?? "",
    owner: input.owner ?? "",
    data,
  });
  if (!updated) throw clientNotFound();
  return clientToWire(updated, secret);
}

/** Hydra's /admin/clients API, plus Olympus' `POST /admin/clients/{id}/secrets/rotate`. */
export function registerClientRoutes(admin: Hono, o2: OAuth2): void {
  const { ctx } = o2;

  admin.get("/clients", async (c) => {
    const page = pageParams(c, { size: 250, max: 1000 });
    const rows = await listClients(
      ctx.db,
      { clientName: c.req.query("client_name"), owner: c.req.query("owner") },
      page,
    );
    const hasNext = rows.length > page.size;
    setLinkHeader(c, o2.adminBaseUrl, "admin/clients", page.size, page.offset, hasNext);
    return c.json(rows.slice(0, page.size).map((r) => clientToWire(r)));
  });

  admin.post("/clients", async (c) => {
    const input = parseClientInput(await readJson(c));
    const data = normalizeClient(input, o2.cfg);
    await checkClientDocuments(o2, data);
    const secret = chooseSecret(input, data);
    const id = newClientId(input);
    try {
      const created = await insertClient(ctx.db, {
        id,
        secretHash: secret ? hashClientSecret(o2, secret) : null,
        secretSealed:
          secret && data.token_endpoint_auth_method === "client_secret_jwt"
            ? sealClientSecret(o2, id, secret)
            : null,
        clientName: input.client_name ?? "",
        owner: input.owner ?? "",
        data,
      });
      return c.json(clientToWire(created, secret), 201);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new OryError(
          409,
          "Unable to insert or update resource because a resource with that value exists already",
          {
            reason: `An OAuth 2.0 Client with the ID "${id}" exists already.`,
          },
        );
      }
      throw e;
    }
  });

  admin.get("/clients/:id", async (c) => c.json(clientToWire(await mustFind(o2, c.req.param("id")))));

  admin.put("/clients/:id", async (c) => {
    const current = await mustFind(o2, c.req.param("id"));
    const body = await readJson(c);
    return c.json(await replaceClient(o2, current, parseClientInput(body)));
  });

  admin.patch("/clients/:id", async (c) => {
    const current = await mustFind(o2, c.req.param("id"));
    const text = await c.req.text();
    const ops = decodeJsonBody(text, "Unable to decode the JSON patch");
    if (!Array.isArray(ops)) throw badRequest("A JSON patch must be an array of operations.");
    const doc = clientToInput(current);
    let patched: Record<string, unknown>;
    try {
      patched = fastJsonPatch.applyPatch(doc, ops as JsonPatchOperation[], true, false).newDocument;
    } catch (e) {
      throw badRequest(`The JSON patch could not be applied: ${(e as Error).message}`);
    }
    return c.json(await replaceClient(o2, current, parseClientInput(patched)));
  });

  // Hydra's lifespans endpoint: the body is the whole set; a field left out or null follows the server.
  admin.put("/clients/:id/lifespans", async (c) => {
    const current = await mustFind(o2, c.req.param("id"));
    const parsed = lifespansInput.safeParse(await readJson(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new OAuth2Error(
        "invalid_client_metadata",
        `Field "${issue.path.join(".")}" is invalid: ${issue.message}.`,
      );
    }
    const lifespans = normalizeLifespans(parsed.data);
    const data: ClientData = { ...current.data };
    if (lifespans) data.lifespans = lifespans;
    else delete data.lifespans;
    const updated = await updateClient(ctx.db, current.id, {
      secretHash: current.secretHash,
      secretSealed: current.secretSealed,
      clientName: current.clientName,
      owner: current.owner,
      data,
    });
    if (!updated) throw clientNotFound();
    return c.json(clientToWire(updated));
  });

  admin.delete("/clients/:id", async (c) => {
    if (!(await deleteClient(ctx.db, c.req.param("id")))) throw clientNotFound();
    return c.body(null, 204);
  });

  // Olympus-only: Hydra v2 rotates a secret through PUT with a new client_secret, which ends the old
  // one at once; this endpoint picks a fresh random secret, returns it once, and may keep the previous
  // secret working for `overlap_seconds` (at most 30 days) so that the services using it can be moved
  // over. Rotating again during an overlap ends the older secret at once: two secrets at most.
  // `/secret/rotate` is the older spelling, kept as an alias.
  const rotateSecret = async (c: Context) => {
    const body = rotationInput.safeParse(await readJson(c));
    if (!body.success) {
      throw badRequest(
        `Field "overlap_seconds" must be a whole number of seconds from 0 to ${MAX_ROTATION_OVERLAP_SECONDS} (30 days).`,
      );
    }
    const overlap = body.data.overlap_seconds ?? 0;
    const current = await mustFind(o2, c.req.param("id") ?? "");
    const method = current.data.token_endpoint_auth_method;
    if (!hasSecret(current.data)) {
      throw badRequest(`This OAuth 2.0 Client authenticates with "${method}" and has no secret.`);
    }
    const secret = newClientSecret(method);
    const data: ClientData = { ...current.data };
    delete data.previous_secret;
    // A client_secret_jwt client whose secret was never sealed (none can be had) keeps no overlap.
    const keepable = current.secretHash && (method !== "client_secret_jwt" || current.secretSealed);
    if (overlap > 0 && keepable) {
      data.previous_secret = {
        hash: current.secretHash!,
        ...(method === "client_secret_jwt" ? { sealed: current.secretSealed! } : {}),
        expires_at: new Date(Date.now() + overlap * 1000).toISOString(),
      };
    }
    const updated = await updateClient(ctx.db, current.id, {
      secretHash: hashClientSecret(o2, secret),
      secretSealed: method === "client_secret_jwt" ? sealClientSecret(o2, current.id, secret) : null,
      clientName: current.clientName,
      owner: current.owner,
      data,
    });
    if (!updated) throw clientNotFound();
    setAuditDetail(c, {
      overlap_seconds: data.previous_secret ? overlap : 0,
      ...(data.previous_secret ? { previous_secret_expires_at: data.previous_secret.expires_at } : {}),
    });
    return c.json(clientToWire(updated, secret));
  };
  admin.post("/clients/:id/secrets/rotate", rotateSecret);
  admin.post("/clients/:id/secret/rotate", rotateSecret);
}

const rotationInput = z.object({
  overlap_seconds: z.number().int().min(0).max(MAX_ROTATION_OVERLAP_SECONDS).optional(),
});
