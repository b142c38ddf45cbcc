import { z } from "zod";
import { UUID } from "./input.ts";

const state = z.enum(["active", "inactive"], {
  error: (iss) =>
    `The supplied state ('${String(iss.input)}') was not valid. Valid states are ('active', 'inactive').`,
});

const traits = z.record(z.string(), z.unknown(), { error: "must be a JSON object" });

/** Any JSON value; `null` clears the field. */
const metadata = z.unknown().optional();

const externalId = z.string().max(255, "external_id must be at most 255 characters").nullish();

const passwordConfig = z
  .object({
    password: z.string().max(4096, "password must be at most 4096 characters").nullish(),
    hashed_password: z.string().max(1024, "hashed_password must be at most 1024 characters").nullish(),
    use_password_migration_hook: z.boolean().nullish(),
  })
  .strict();

/** `credentials` of create and update bodies; only password can be imported here. */
const credentials = z
  .object({
    password: z.object({ config: passwordConfig }).nullish(),
    oidc: z.unknown().optional(),
    saml: z.unknown().optional(),
    totp: z.unknown().optional(),
    lookup_secret: z.unknown().optional(),
    webauthn: z.unknown().optional(),
    passkey: z.unknown().optional(),
  })
  .strict()
  .nullish();

const verifiableAddress = z.looseObject({
  value: z.string().min(1).max(320),
  verified: z.boolean().nullish(),
  via: z.string().nullish(),
  status: z.string().nullish(),
});

const recoveryAddress = z.looseObject({
  value: z.string().min(1).max(320),
  via: z.string().nullish(),
});

/** createIdentityBody: decoded strictly, as Kratos does, so a misspelt field is a 400, not silently lost. */
export const createIdentityBody = z
  .object({
    schema_id: z.string({ error: "is required" }).min(1, "is required"),
    traits,
    state: state.nullish(),
    metadata_public: metadata,
    metadata_admin: metadata,
    external_id: externalId,
    organization_id: z.string().regex(UUID, "organization_id must be a UUID").nullish(),
    region: z.string().nullish(),
    verifiable_addresses: z.array(verifiableAddress).max(100).nullish(),
    recovery_addresses: z.array(recoveryAddress).max(100).nullish(),
    credentials,
  })
  .strict();
export type CreateIdentityBody = z.output<typeof createIdentityBody>;

/**
 * updateIdentityBody (PUT): the whole identity except credentials. Unknown fields are ignored, so
 * a client may send back an identity it read (id, created_at, addresses, …).
 */
export const updateIdentityBody = z.object({
  schema_id: z.string().nullish(),
  traits,
  state,
  metadata_public: metadata,
  metadata_admin: metadata,
  external_id: externalId,
  credentials,
});
export type UpdateIdentityBody = z.output<typeof updateIdentityBody>;

/** An RFC 6902 operation; fast-json-patch checks the rest (paths exist, values present). */
export const jsonPatch = z
  .array(
    z.looseObject({
      op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
      path: z.string(),
      from: z.string().optional(),
      value: z.unknown().optional(),
    }),
    { error: "the body must be a JSON Patch document (an array of operations)" },
  )
  .max(1000, "at most 1000 operations per patch");

/** The batch body of `PATCH /admin/identities`. */
export const batchPatchBody = z
  .object({
    identities: z.array(
      z
        .object({
          create: z.unknown().optional(),
          patch_id: z.string().regex(UUID, "patch_id must be a UUID").nullish(),
        })
        .strict(),
    ),
  })
  .strict();

/** Credential types Kratos knows; `include_credential` and the delete route accept these. */
export const CREDENTIAL_TYPES = [
  "password",
  "oidc",
  "totp",
  "lookup_secret",
  "webauthn",
  "code",
  "passkey",
  "profile",
  "saml",
  "link_recovery",
  "code_recovery",
] as const;
