import Negotiator from "negotiator";

/** The languages Hera (and the core's emails) are written in. English is the fallback for everything. */
export const LOCALES = ["en", "de", "fr", "es", "pt-BR"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** The cookie that remembers a language picked in Hera's footer (one year, first-party). */
export const LOCALE_COOKIE = "hera_lang";
export const LOCALE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;

/** Each language named in itself, for the picker (a German speaker looks for "Deutsch"). */
export const LANGUAGE_NAMES: Record<Locale, string> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
  "pt-BR": "Português (Brasil)",
};

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

// "pt" stands for every Portuguese variant: Brazilian Portuguese is the one we write.
const OFFERED = [...LOCALES, "pt"];

/**
 * The best of our languages for an Accept-Language style list ("de-CH, fr;q=0.8"), or undefined
 * when none is acceptable. POSIX-style tags (pt_BR) are read as BCP 47 ones.
 */
export function matchLocale(preference: string | null | undefined): Locale | undefined {
  if (!preference || preference.length > 1024) return undefined;
  const header = preference.replaceAll("_", "-");
  let best: string | undefined;
  try {
    [best] = new Negotiator({ headers: { "accept-language": header } }).languages(OFFERED);
  } catch {
    return undefined;
  }
  if (!best) return undefined;
  if (best.toLowerCase() === "pt" || best.toLowerCase() === "pt-br") return "pt-BR";
  return LOCALES.find((l) => l.toLowerCase() === best.toLowerCase());
}

/**
 * The language of a page: the one picked in Hera (cookie) when it is one of ours, else the
 * browser's Accept-Language, else English.
 */
export function negotiateLocale(input: { cookie?: string | null; acceptLanguage?: string | null }): Locale {
  if (isLocale(input.cookie)) return input.cookie;
  return matchLocale(input.acceptLanguage) ?? DEFAULT_LOCALE;
}

/**
 * The @ory/elements-react locale for one of ours. Elements ships a single Portuguese ("pt"); it is
 * the base that our pt-BR overrides sit on.
 */
export function elementsLocale(locale: Locale): "en" | "de" | "fr" | "es" | "pt" {
  return locale === "pt-BR" ? "pt" : locale;
}

/** The value of Hera's language cookie in a Cookie header, when it names one of ours. */
export function localeFromCookieHeader(cookieHeader: string | null | undefined): Locale | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== LOCALE_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (isLocale(value)) return value;
  }
  return undefined;
}

/**
 * The Accept-Language to send the core on the browser's behalf: the language picked in Hera first
 * (so the emails a flow sends, for people without a stored language, match the page), then the
 * browser's own list. Undefined when nothing was picked (the browser's header goes as it is).
 */
export function upstreamAcceptLanguage(
  cookieHeader: string | null,
  acceptLanguage: string | null,
): string | undefined {
  const picked = localeFromCookieHeader(cookieHeader);
  if (!picked) return undefined;
  const own =
    acceptLanguage && acceptLanguage.length <= 1024 ? acceptLanguage.replace(/[^\w ,;=.*-]/g, "").trim() : "";
  return own ? `${picked}, ${own}` : picked;
}

/**
 * What a language-picker post asks for: the language (400 when it is not one of ours) and where to
 * go back to (the page it was posted from when that is on Hera's origin, else the home page).
 */
export function languageChoice(
  lang: unknown,
  referer: string | null,
  publicUrl: string,
): { ok: false } | { ok: true; locale: Locale; location: string } {
  if (!isLocale(lang)) return { ok: false };
  const origin = new URL(publicUrl).origin;
  let location = `${origin}/`;
  if (referer) {
    try {
      const from = new URL(referer);
      if (from.origin === origin && !from.pathname.startsWith("/language"))
        location = `${origin}${from.pathname}${from.search}`;
    } catch {
      // not a URL: home
    }
  }
  return { ok: true, locale: lang, location };
}
