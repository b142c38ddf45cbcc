import { z } from "zod";
import { HttpError, jsonBody, jsonError, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { editIdentity, EditRefused } from "@/lib/core/identity-edit";
import { assertAllowed, getIdentity, setState } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";

export const dynamic = "force-dynamic";
type P = { id: string };

function checkId(id: string) {
  if (!UUID_RE.test(id)) throw new HttpError(404, "not_found", "No such identity.");
}

export const GET = route<P>("read", async ({ params }) => {
  checkId(params.id);
  return ok(await getIdentity(params.id));
});

const patchBody = z.object({ state: z.enum(["active", "inactive"]) });

/** Changes the identity's state (deactivation is refused for demo identities). */
export const PATCH = route<P>("write", async ({ req, params, session }) => {
  checkId(params.id);
  const { state } = await jsonBody(req, patchBody);
  const identity = await getIdentity(params.id);
  if (state === "inactive") assertAllowed(identity, "deactivate", session);
  const updated = await setState(params.id, state);
  return ok({ id: updated.id, state: updated.state });
});

const jsonObject = z.record(z.string(), z.unknown());

const putBody = z.object({
  /** The `updated_at` the form was opened with: a change made since then is not overwritten (409). */
  updated_at: z.string().max(64).optional(),
  traits: jsonObject,
  metadata_public: jsonObject.nullable(),
  metadata_admin: jsonObject.nullable(),
  state: z.enum(["active", "inactive"]),
  /** Address value → verified. */
  verified: z.record(z.string().max(320), z.boolean()).default({}),
});

/**
 * Edits an identity: traits (validated by the core against its schema; errors come back per
 * field), public and admin metadata, state and the verified flag of its addresses, in one JSON
 * patch the core applies in one transaction and audits as `identity.updated` with the diff. The
 * Athena role in `metadata_admin` is not editable here (it has its own route): whatever the body
 * says, the current role is kept.
 */
export const PUT = route<P>("write", async ({ req, params, session }) => {
  checkId(params.id);
  const body = await jsonBody(req, putBody);
  const identity = await getIdentity(params.id);
  assertAllowed(identity, "edit", session);
  if (body.state === "inactive" && (identity.state ?? "active") !== "inactive") {
    assertAllowed(identity, "deactivate", session);
  }
  try {
    const updated = await editIdentity(identity, body);
    return ok({ id: updated.id, updated_at: updated.updated_at });
  } catch (e) {
    if (e instanceof EditRefused) return jsonError(e.status, e.code, e.message, e.extra);
    throw e;
  }
});

/** Deletes the identity (refused for demo identities). */
export const DELETE = route<P>("write", async ({ params, session }) => {
  checkId(params.id);
  assertAllowed(await getIdentity(params.id), "delete", session);
  await core().identity.deleteIdentity({ id: params.id });
  return ok({ deleted: params.id });
});
