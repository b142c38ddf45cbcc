import "server-only";
import { type Identity, type JsonPatch, ResponseError } from "@olympus/sdk";
import { core } from "./clients";

/** What the edit form sends (validated by the route). */
export interface IdentityEdit {
  updated_at?: string | undefined;
  traits: Record<string, unknown>;
  metadata_public: Record<string, unknown> | null;
  metadata_admin: Record<string, unknown> | null;
  state: "active" | "inactive";
  verified: Record<string, boolean>;
}

/** A refusal to show on the form: per-field messages in `extra.fields` (`email`, `name.first`). */
export class EditRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Keys of `metadata_admin` that only the role route writes (`identity.role.changed` is audited there). */
const ROLE_KEYS = ["role", "roles"] as const;

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** The submitted admin metadata with the identity's current role keys, whatever was submitted for them. */
export function keepRole(
  submitted: Record<string, unknown> | null,
  current: unknown,
): Record<string, unknown> | null {
  const out: Record<string, unknown> = { ...(submitted ?? {}) };
  for (const k of ROLE_KEYS) delete out[k];
  if (isObj(current)) for (const k of ROLE_KEYS) if (current[k] !== undefined) out[k] = current[k];
  return submitted === null && Object.keys(out).length === 0 ? null : out;
}

/** The JSON patch that turns the identity into the edited one (RFC 6902, applied by the core in one go). */
export function editPatch(identity: Identity, edit: IdentityEdit): JsonPatch[] {
  const ops: JsonPatch[] = [];
  if (edit.updated_at) ops.push({ op: "test", path: "/updated_at", value: edit.updated_at });
  ops.push(
    { op: "replace", path: "/traits", value: edit.traits },
    { op: "add", path: "/metadata_public", value: edit.metadata_public },
    { op: "add", path: "/metadata_admin", value: keepRole(edit.metadata_admin, identity.metadata_admin) },
    { op: "replace", path: "/state", value: edit.state },
  );
  (identity.verifiable_addresses ?? []).forEach((a, i) => {
    const want = edit.verified[a.value];
    if (typeof want === "boolean" && want !== a.verified) {
      ops.push({ op: "replace", path: `/verifiable_addresses/${i}/verified`, value: want });
    }
  });
  return ops;
}

/** `traits.name.first` → `name.first`: the form's field name for a core error's property. */
const fieldOf = (property: string) => property.replace(/^traits\.?/, "") || "traits";

/** Applies the edit through the core's admin API; the core's validation errors come back per field. */
export async function editIdentity(identity: Identity, edit: IdentityEdit): Promise<Identity> {
  try {
    return await core().identity.patchIdentity({ id: identity.id, jsonPatch: editPatch(identity, edit) });
  } catch (e) {
    if (!(e instanceof ResponseError)) throw e;
    const status = e.response.status;
    const body = (await e.response
      .clone()
      .json()
      .catch(() => undefined)) as
      | {
          error?: {
            message?: string;
            details?: { errors?: { property?: string; message?: string }[]; error?: string };
          };
        }
      | undefined;
    const err = body?.error;
    if (status === 400 && String(err?.details?.error ?? "").includes("TEST_OPERATION_FAILED")) {
      throw new EditRefused(
        409,
        "identity_changed",
        "The identity was changed since you opened this form: reload it and apply your changes again.",
      );
    }
    if (status === 400 && Array.isArray(err?.details?.errors)) {
      const fields: Record<string, string> = {};
      for (const x of err.details.errors) {
        if (typeof x.property === "string" && typeof x.message === "string") {
          fields[fieldOf(x.property)] ??= x.message;
        }
      }
      throw new EditRefused(400, "invalid_traits", err.message ?? "The traits do not match the schema.", {
        fields,
      });
    }
    if (status === 409) {
      throw new EditRefused(
        409,
        "identity_conflict",
        err?.message ?? "Another identity already uses these values.",
      );
    }
    throw e;
  }
}
