import Negotiator from "negotiator";

/** The languages the core's emails are written in (the ones Hera speaks). */
export const EMAIL_LOCALES = ["en", "de", "fr", "es", "pt-BR"] as const;
export type EmailLocale = (typeof EMAIL_LOCALES)[number];

/**
 * The trait an identity's language preference lives in. A trait (not metadata) because the user sets
 * it (at sign-up from the browser, later in settings), and because Kratos' courier templates can
 * read traits, so Ory-built templates can branch on it the same way.
 */
export const LOCALE_TRAIT = "locale";

// "pt" stands for every Portuguese variant: Brazilian Portuguese is the one we write.
const OFFERED = [...EMAIL_LOCALES, "pt"];

/** The best email language for an Accept-Language style list ("de-CH, fr;q=0.8"), or undefined. */
export function matchLocale(preference: string | null | undefined): EmailLocale | undefined {
  if (!preference || preference.length > 1024) return undefined;
  // Some systems store POSIX-style tags (pt_BR); Accept-Language syntax wants hyphens.
  const header = preference.replaceAll("_", "-");
  const [best] = new Negotiator({ headers: { "accept-language": header } }).languages(OFFERED);
  if (!best) return undefined;
  return best === "pt" ? "pt-BR" : (best as EmailLocale);
}

/**
 * The language of an email: the identity's stored `locale` trait when it names one we write,
 * else the language of the browser that caused the mail, else English.
 */
export function emailLocale(input: { traits?: unknown; acceptLanguage?: string | null }): EmailLocale {
  const traits = input.traits;
  const stored =
    traits && typeof traits === "object" && !Array.isArray(traits)
      ? (traits as Record<string, unknown>)[LOCALE_TRAIT]
      : undefined;
  return (
    (typeof stored === "string" ? matchLocale(stored) : undefined) ??
    matchLocale(input.acceptLanguage) ??
    "en"
  );
}
