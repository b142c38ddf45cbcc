import "server-only";
import type { Identity } from "@olympus/sdk";
import { HttpError } from "../api";
import { athenaEnv } from "../env";
import type { AthenaSession } from "../session/seal";
import { core } from "./clients";
import { isDemo } from "./identity-view";

/** Actions a demo identity is protected from. */
export type Destructive =
  | "delete"
  | "deactivate"
  | "reset_password"
  | "recover"
  | "delete_credential"
  | "change_role"
  | "edit";

const WHAT: Record<Destructive, string> = {
  delete: "deleted",
  deactivate: "deactivated",
  reset_password: "given a new password",
  recover: "recovered",
  delete_credential: "stripped of credentials",
  change_role: "given another role",
  edit: "edited",
};

/** Throws 409 for a demo identity, and for an administrator locking themself out of IAM. */
export function assertAllowed(identity: Identity, action: Destructive, session: AthenaSession): void {
  if (isDemo(identity)) {
    throw new HttpError(409, "demo_identity_protected", `Demo identities cannot be ${WHAT[action]}.`);
  }
  if (
    athenaEnv().domain === "iam" &&
    identity.id === session.sub &&
    (action === "delete" || action === "deactivate")
  ) {
    throw new HttpError(409, "self_protected", `You cannot ${action} your own administrator account.`);
  }
}

export const getIdentity = (id: string) => core().identity.getIdentity({ id });

/** Sets an identity's state with a JSON patch. */
export async function setState(id: string, state: "active" | "inactive"): Promise<Identity> {
  return core().identity.patchIdentity({ id, jsonPatch: [{ op: "replace", path: "/state", value: state }] });
}

/** Replaces the identity's password: PUT with `credentials.password.config.password`. */
export async function resetPassword(identity: Identity, password: string): Promise<void> {
  await core().identity.updateIdentity({
    id: identity.id,
    updateIdentityBody: {
      schema_id: identity.schema_id,
      traits: identity.traits as object,
      state: (identity.state ?? "active") as "active" | "inactive",
      metadata_public: identity.metadata_public ?? undefined,
      metadata_admin: identity.metadata_admin ?? undefined,
      credentials: { password: { config: { password } } },
    },
  });
}

export const BULK_ACTIONS = ["activate", "deactivate", "revoke_sessions", "delete"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export interface BulkResult {
  id: string;
  outcome: "done" | "skipped" | "failed";
  reason?: string;
}

/** Runs one bulk action on one identity, never throwing: skips protected ones and reports failures. */
export async function bulkOne(id: string, action: BulkAction, session: AthenaSession): Promise<BulkResult> {
  const api = core().identity;
  try {
    const identity = await api.getIdentity({ id });
    if (action === "delete" || action === "deactivate") {
      try {
        assertAllowed(identity, action, session);
      } catch (e) {
        return { id, outcome: "skipped", reason: (e as Error).message };
      }
    }
    if (action === "activate") await setState(id, "active");
    else if (action === "deactivate") await setState(id, "inactive");
    else if (action === "revoke_sessions") await api.deleteIdentitySessions({ id });
    else await api.deleteIdentity({ id });
    return { id, outcome: "done" };
  } catch (e) {
    const { coreFailure } = await import("./errors");
    const f = await coreFailure(e).catch(() => ({ message: "unexpected error" }));
    return { id, outcome: "failed", reason: f.message };
  }
}
