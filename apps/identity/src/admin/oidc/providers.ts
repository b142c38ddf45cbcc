import type { Hono } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { OidcProviderConfig } from "../../config/oidc.ts";
import { mappingOf } from "../../selfservice/oidc/mapping.ts";
import { PRESETS, providerLabel } from "../../selfservice/oidc/presets.ts";
import { redirectUri } from "../../selfservice/oidc/strategy.ts";

/** One configured social sign-in provider as administrators see it: what it is, never its secrets. */
export interface ProviderSummary {
  id: string;
  provider: string;
  label: string;
  /** The issuer whose discovery document is read (OpenID providers), or null for plain OAuth2 ones. */
  issuer_url: string | null;
  scope: string[];
  client_id: string;
  /** Whether a client secret (or an Apple signing key) is configured; the value itself never leaves. */
  client_secret_set: boolean;
  /** Where the provider sends the browser back: what its client registration must allow. */
  redirect_uri: string;
  /** Which trait (or metadata) path takes which claim; null when a Jsonnet mapper maps the claims. */
  mapping: { traits: Record<string, string>; verified: Record<string, string> } | null;
}

function summary(ctx: AppContext, p: OidcProviderConfig): ProviderSummary {
  const preset = PRESETS[p.provider];
  let mapping: ProviderSummary["mapping"] = null;
  // A Jsonnet mapper has no declarative mapping to show.
  const m = mappingOf(p);
  if (m) mapping = { traits: m.traits, verified: m.verified };
  return {
    id: p.id,
    provider: p.provider,
    label: providerLabel(p),
    issuer_url: (p.auth_url && p.token_url ? p.issuer_url : preset.issuer?.(p)) ?? p.issuer_url ?? null,
    scope: p.scope ?? preset.scope,
    client_id: p.client_id,
    client_secret_set: Boolean(p.client_secret || p.apple_private_key),
    redirect_uri: redirectUri(ctx, p.id),
    mapping,
  };
}

/**
 * Olympus-only: `GET /admin/olympus/oidc/providers`, the social sign-in providers this domain offers
 * (selfservice.methods.oidc), for Athena's providers page. Client secrets, Apple keys and upstream
 * tokens are never part of the answer.
 */
export function registerAdminOidcRoutes(admin: Hono, ctx: AppContext): void {
  admin.get("/olympus/oidc/providers", (c) => {
    const method = ctx.config.selfservice.methods.oidc;
    c.header("Cache-Control", "no-store");
    return c.json({
      enabled: method.enabled,
      providers: method.config.providers.map((p) => summary(ctx, p)),
    });
  });
}
