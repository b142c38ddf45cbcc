import type { MessageId, Translate } from "./i18n";

/** Plain-language descriptions of the scopes Olympus clients ask for (texts in lib/i18n/catalogs). */
const KNOWN: Record<string, { title: MessageId; description: MessageId }> = {
  openid: { title: "scope.openid.title", description: "scope.openid.description" },
  email: { title: "scope.email.title", description: "scope.email.description" },
  profile: { title: "scope.profile.title", description: "scope.profile.description" },
  offline_access: { title: "scope.offline.title", description: "scope.offline.description" },
  offline: { title: "scope.offline.title", description: "scope.offline.description" },
};

/** Title and description of a scope in the page's language, falling back to its raw name. */
export function describeScope(scope: string, t: Translate): { title: string; description: string } {
  const known = Object.hasOwn(KNOWN, scope) ? KNOWN[scope] : undefined;
  if (known) return { title: t(known.title), description: t(known.description) };
  return { title: scope, description: t("scope.other.description", { scope }) };
}

/** Scopes that are part of signing in itself and cannot be unticked. */
export const REQUIRED_SCOPES = new Set(["openid"]);
