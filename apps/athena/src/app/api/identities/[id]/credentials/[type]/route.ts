import { DeleteIdentityCredentialsTypeEnum } from "@olympus/sdk";
import { HttpError, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { assertAllowed, getIdentity } from "@/lib/core/identity-actions";
import { UUID_RE } from "@/lib/core/identity-view";

export const dynamic = "force-dynamic";

/** Credentials an administrator may remove; passwords are replaced, never removed (Ory refuses too). */
const DELETABLE = new Set<string>(
  Object.values(DeleteIdentityCredentialsTypeEnum).filter((t) => t !== "password"),
);

/** Deletes one non-password credential (all of a type, one WebAuthn key, or one linked provider: `provider:subject`). */
export const DELETE = route<{ id: string; type: string }>("write", async ({ req, params, session }) => {
  if (!UUID_RE.test(params.id)) throw new HttpError(404, "not_found", "No such identity.");
  if (!DELETABLE.has(params.type)) {
    throw new HttpError(
      400,
      "credential_not_deletable",
      `A ${params.type} credential cannot be deleted here.`,
    );
  }
  assertAllowed(await getIdentity(params.id), "delete_credential", session);
  const identifier = req.nextUrl.searchParams.get("identifier") || undefined;
  if (identifier && identifier.length > 1024) {
    throw new HttpError(400, "invalid_identifier", "identifier: at most 1024 characters");
  }
  if (params.type === "oidc" && !identifier) {
    throw new HttpError(400, "identifier_required", "Name the provider link to remove (identifier).");
  }
  await core().identity.deleteIdentityCredentials({
    id: params.id,
    type: params.type as DeleteIdentityCredentialsTypeEnum,
    ...(identifier ? { identifier } : {}),
  });
  return ok({ deleted: params.type });
});
