import "server-only";
import type { OlympusOidcProviders } from "@olympus/sdk";
import { core } from "./clients";

/** The domain's social sign-in providers, as the core's admin API lists them (no secrets). */
export async function oidcProviders(): Promise<OlympusOidcProviders> {
  return core().olympus.oidcProviders();
}

/** A linked provider of an identity: what its `oidc` credential's identifiers (`provider:subject`) say. */
export interface LinkedProvider {
  provider: string;
  subject: string;
}

/**
 * The providers an identity has linked, from the `oidc` credential's identifiers: read without
 * include_credential, so the upstream tokens the credential keeps never reach Athena.
 */
export function linkedProviders(identifiers: readonly string[] | undefined): LinkedProvider[] {
  return (identifiers ?? []).flatMap((identifier) => {
    const at = identifier.indexOf(":");
    if (at <= 0 || at === identifier.length - 1) return [];
    return [{ provider: identifier.slice(0, at), subject: identifier.slice(at + 1) }];
  });
}
