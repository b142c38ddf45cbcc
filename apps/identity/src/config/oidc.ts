import { z } from "zod";

/*
 * `selfservice.methods.oidc` as in kratos.yml: social sign-in providers. Keys keep Kratos' names so a
 * kratos.yml provider list can be pasted in, Jsonnet `mapper_url` included; `mapping` is Olympus'
 * declarative alternative to a Jsonnet mapper (selfservice/oidc/mapping.ts).
 */

export const PROVIDER_KINDS = [
  "generic",
  "google",
  "github",
  "github-app",
  "microsoft",
  "apple",
  "gitlab",
  "facebook",
  "discord",
  "slack",
  "auth0",
  "keycloak",
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

const url = z.url({ protocol: /^https?$/ });
/** A dotted path into the claims (`email`, `address.country`, `raw_claims.login`). */
const claimPath = z
  .string()
  .regex(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, "expected a dotted claim path such as email or name.given");
/** A dotted path into the traits (`email`, `name.first`). */
const traitPath = z
  .string()
  .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, "expected a dotted trait path such as email or name.first");

/**
 * The declarative claims → identity mapping: each trait path takes the value at a claim path;
 * `verified` lists trait paths whose address counts as verified when the named claim is `true`
 * (e.g. `email: email_verified`), as a Kratos mapper's `verified_addresses` does.
 */
export const oidcMapping = z.object({
  traits: z.record(traitPath, claimPath).default({}),
  verified: z.record(traitPath, claimPath).default({}),
  metadata_public: z.record(traitPath, claimPath).default({}),
  metadata_admin: z.record(traitPath, claimPath).default({}),
});
export type OidcMapping = z.output<typeof oidcMapping>;

export const oidcProvider = z
  .object({
    /** Part of the callback URL (/self-service/methods/oidc/callback/{id}) and of the credential identifier. */
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "expected a short lowercase id such as github or workforce"),
    provider: z.enum(PROVIDER_KINDS),
    /** What the button says ("Sign in with {label}"); default: the preset's name or the id. */
    label: z.string().min(1).max(64).optional(),
    client_id: z.string().min(1),
    client_secret: z.string().optional(),
    /** generic, auth0, keycloak, gitlab (self-hosted): the issuer whose discovery document is read. */
    issuer_url: url.optional(),
    /** Without discovery (plain OAuth2 providers): the endpoints themselves. */
    auth_url: url.optional(),
    token_url: url.optional(),
    userinfo_url: url.optional(),
    scope: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)).optional(),
    /** OpenID Connect `claims` request parameter (JSON), sent as is. */
    requested_claims: z.record(z.string(), z.unknown()).optional(),
    /** Kratos' Jsonnet mapper (`base64://`, `file://`, `https://`), or a declarative mapping as JSON there. */
    mapper_url: z.string().optional(),
    /** Olympus: the declarative mapping (used when there is no mapper_url). */
    mapping: oidcMapping.optional(),
    /** microsoft: the tenant (common, organizations, consumers or a tenant id). */
    microsoft_tenant: z.string().optional(),
    /** apple: the Sign in with Apple key that signs the client secret. */
    apple_team_id: z.string().optional(),
    apple_private_key_id: z.string().optional(),
    apple_private_key: z.string().optional(),
    /** PKCE toward the upstream: auto (when discovery lists S256, or always for generic), force, never. */
    pkce: z.enum(["auto", "force", "never"]).default("auto"),
    /** Olympus: how long the core waits for the upstream's discovery, token and userinfo answers. */
    timeout: z.number().int().min(500).max(60_000).default(10_000),
  })
  .superRefine((p, ctx) => {
    const needsIssuer = p.provider === "generic" || p.provider === "auth0" || p.provider === "keycloak";
    if (needsIssuer && !p.issuer_url && !(p.auth_url && p.token_url)) {
      ctx.addIssue({
        code: "custom",
        path: ["issuer_url"],
        message: `provider ${p.provider} needs issuer_url (or auth_url and token_url)`,
      });
    }
    if (
      p.provider === "apple" &&
      !p.client_secret &&
      !(p.apple_team_id && p.apple_private_key_id && p.apple_private_key)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["apple_private_key"],
        message:
          "provider apple needs client_secret or apple_team_id, apple_private_key_id and apple_private_key",
      });
    }
    if (p.mapper_url && !/^(file|base64):\/\//.test(p.mapper_url)) {
      ctx.addIssue({
        code: "custom",
        path: ["mapper_url"],
        message: "expected a file:// or base64:// URL",
      });
    }
  });
export type OidcProviderConfig = z.output<typeof oidcProvider>;

export const oidcMethod = z
  .object({
    enabled: z.boolean().default(false),
    config: z
      .object({
        /** Where upstreams send the browser back; default: the public base URL. */
        base_redirect_uri: url.optional(),
        providers: z.array(oidcProvider).default([]),
      })
      .superRefine((c, ctx) => {
        const seen = new Set<string>();
        c.providers.forEach((p, i) => {
          if (seen.has(p.id))
            ctx.addIssue({
              code: "custom",
              path: ["providers", i, "id"],
              message: `duplicate provider id ${p.id}`,
            });
          seen.add(p.id);
        });
      })
      .prefault({} as never),
  })
  .prefault({} as never);
