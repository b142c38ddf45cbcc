import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { badRequest } from "../../errors/index.ts";
import { type FullIdentity, identityToWire } from "../../identity/repository.ts";
import { declassifyOidcConfig } from "../../selfservice/oidc/credential.ts";
import { CREDENTIAL_TYPES } from "./body.ts";

/**
 * The admin view of an identity: metadata_admin, external_id and, when asked for, the credentials
 * map (types, identifiers, version, timestamps; `config` only for the types in `declassify`). As in
 * Kratos, an empty credentials map is left out.
 */
export function adminIdentityWire(
  ctx: AppContext,
  full: FullIdentity,
  opts: { credentials?: boolean; declassify?: string[] } = {},
): Record<string, unknown> {
  const out = identityToWire(ctx, full, {
    admin: true,
    credentials: opts.credentials ?? true,
    includeConfigFor: opts.declassify ?? [],
  });
  const creds = out.credentials as Record<string, { config?: Record<string, unknown> }> | undefined;
  if (creds && Object.keys(creds).length === 0) delete out.credentials;
  // As Kratos: include_credential=oidc shows the upstream's first tokens decrypted.
  const oidc = creds?.oidc;
  if (oidc?.config) oidc.config = declassifyOidcConfig(ctx, oidc.config);
  return out;
}

/** `include_credential` (repeatable): each value must be a Kratos credential type, else 400. */
export function includeCredentialParam(c: Context): string[] {
  const values = c.req.queries("include_credential") ?? [];
  for (const v of values) {
    if (!(CREDENTIAL_TYPES as readonly string[]).includes(v)) {
      throw badRequest(`Invalid value \`${v.slice(0, 64)}\` for parameter \`include_credential\`.`);
    }
  }
  return [...new Set(values)];
}
