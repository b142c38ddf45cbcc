import jsonPatch, { type Operation as JsonPatchOperation } from "fast-json-patch";
import type { AppContext } from "../../app/context.ts";
import { badRequest } from "../../errors/index.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import type { jsonPatch as jsonPatchBody } from "./body.ts";
import { type IdentityReplacement, schemaOrThrow, validateTraits } from "./write.ts";
import { adminIdentityWire } from "./wire.ts";
import type { z } from "zod";

type Operation = z.output<typeof jsonPatchBody>[number];

/**
 * Top-level members a patch may not touch. Kratos forbids id, the state timestamp and credentials
 * (passwords are set with PUT); the timestamps and schema_url are derived, so changing them would
 * be silently lost.
 */
const READ_ONLY = new Set([
  "id",
  "credentials",
  "state_changed_at",
  "stateChangedAt",
  "created_at",
  "updated_at",
  "schema_url",
]);

function topLevel(pointer: string | undefined): string | undefined {
  if (pointer === undefined || !pointer.startsWith("/")) return undefined;
  const first = pointer.slice(1).split("/")[0]!;
  return first.replace(/~1/g, "/").replace(/~0/g, "~");
}

function checkOperations(ops: Operation[]): void {
  ops.forEach((op, i) => {
    if (op.op === "test") return;
    // A patch of the whole document ("" path) would replace read-only members too.
    if (op.path === "")
      throw badRequest(`failed to apply JSON patch: operation ${i} targets the whole identity`);
    for (const pointer of op.op === "move" ? [op.path, op.from] : [op.path]) {
      const member = topLevel(pointer);
      if (member !== undefined && READ_ONLY.has(member)) {
        throw badRequest(
          `failed to apply JSON patch: the path /${member} can not be patched (operation ${i})`,
        );
      }
    }
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Applies an RFC 6902 patch to the admin view of an identity and validates the result as PUT
 * would; returns the replacement to write.
 */
export function patchToReplacement(
  ctx: AppContext,
  current: FullIdentity,
  ops: Operation[],
): IdentityReplacement {
  checkOperations(ops);
  const doc = adminIdentityWire(ctx, current, { credentials: false });
  let patched: unknown;
  try {
    patched = jsonPatch.applyPatch(doc, ops as JsonPatchOperation[], true, false).newDocument;
  } catch (e) {
    const name = (e as { name?: string }).name;
    const message = ((e as Error).message ?? "").split("\n")[0];
    throw badRequest("failed to apply JSON patch", { details: { error: `${name}: ${message}` } });
  }
  if (!isObject(patched)) throw badRequest("failed to apply JSON patch: the result is not an identity");

  const state = patched.state;
  if (state !== "active" && state !== "inactive") {
    throw badRequest(
      `The supplied state ('${String(state)}') was not valid. Valid states are ('active', 'inactive').`,
    );
  }
  if (typeof patched.schema_id !== "string") throw badRequest("schema_id: must be a string");
  const schema = schemaOrThrow(ctx, patched.schema_id);
  if (!isObject(patched.traits)) throw badRequest("traits: must be a JSON object");
  validateTraits(ctx, schema, patched.traits);
  const externalId = patched.external_id;
  if (externalId !== undefined && externalId !== null && typeof externalId !== "string") {
    throw badRequest("external_id: must be a string");
  }
  if (typeof externalId === "string" && externalId.length > 255) {
    throw badRequest("external_id: must be at most 255 characters");
  }

  // Marking an address verified (or not) is the one thing a patch of verifiable_addresses does.
  const verifiedFlags = new Map<string, boolean>();
  const addresses = patched.verifiable_addresses;
  if (addresses !== undefined && addresses !== null) {
    if (!Array.isArray(addresses)) throw badRequest("verifiable_addresses: must be an array");
    for (const [i, a] of addresses.entries()) {
      if (!isObject(a) || typeof a.value !== "string") {
        throw badRequest(`verifiable_addresses.${i}: must be an object with a string value`);
      }
      if (a.verified !== undefined && typeof a.verified !== "boolean") {
        throw badRequest(`verifiable_addresses.${i}.verified: must be a boolean`);
      }
      if (typeof a.verified === "boolean") verifiedFlags.set(normalizeIdentifier(a.value), a.verified);
    }
  }

  return {
    schemaId: schema.id,
    traits: patched.traits,
    state,
    metadataPublic: patched.metadata_public ?? null,
    metadataAdmin: patched.metadata_admin ?? null,
    externalId: externalId || null,
    verifiedFlags,
  };
}
