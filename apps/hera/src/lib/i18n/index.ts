import { createIntl, createIntlCache, type IntlShape } from "@formatjs/intl";
import type { HeraEnv } from "../env";
import { de } from "./catalogs/de";
import { type Catalog, en, enKratos, type MessageId } from "./catalogs/en";
import { es } from "./catalogs/es";
import { fr } from "./catalogs/fr";
import { brazilian, ptBR } from "./catalogs/pt-BR";
import OryLocales from "./ory-locales.json";
import { DEFAULT_LOCALE, elementsLocale, LANGUAGE_NAMES, type Locale, LOCALES } from "./locales";

export type { MessageId } from "./catalogs/en";
export * from "./locales";

const CATALOGS: Record<Locale, Catalog> = { en, de, fr, es, "pt-BR": ptBR };

/** Overrides of elements' own texts for Kratos message ids (only where they are wrong for us). */
const KRATOS_OVERRIDES: Partial<Record<Locale, Record<string, string>>> = { en: enKratos };

export type Translate = (id: MessageId, values?: Record<string, string | number>) => string;

const cache = createIntlCache();
const intls = new Map<Locale, IntlShape<string>>();

function intlFor(locale: Locale): IntlShape<string> {
  let intl = intls.get(locale);
  if (!intl) {
    intl = createIntl<string>(
      {
        locale,
        defaultLocale: DEFAULT_LOCALE,
        // English underneath: a text missing from a translation shows in English, never as its id.
        messages: { ...en, ...CATALOGS[locale] },
        onError: () => {},
      },
      cache,
    );
    intls.set(locale, intl);
  }
  return intl;
}

/** Hera's own texts in `locale`, formatted (ICU) with `values`; English for anything missing. */
export function translator(locale: Locale): Translate {
  const intl = intlFor(locale);
  return (id, values) => intl.formatMessage({ id, defaultMessage: en[id] ?? id }, values);
}

/** Formats a date and time for `locale` (UTC, as the rest of Hera shows times). */
export function formatDateTime(locale: Locale, at: Date): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }).format(
    at,
  );
}

/** `text` as a literal inside an ICU message (elements formats our texts once more). */
function icuLiteral(text: string): string {
  return text.replaceAll("'", "''").replace(/[{}#]/g, (c) => `'${c}'`);
}

/**
 * Our texts for @ory/elements-react message ids in `locale`: Hera's wording for its titles and
 * links (the `ory.` and `ory-<domain>.` entries of the catalogs), the few Kratos overrides, and the
 * language names for the locale picker. Everything else is elements' own translation.
 */
export function elementsOverrides(
  locale: Locale,
  env: Pick<HeraEnv, "domain" | "brand">,
): Record<string, string> {
  const out: Record<string, string> = {};
  const domainPrefix = `ory-${env.domain}.`;
  for (const id of Object.keys(en) as MessageId[]) {
    const key = id.startsWith("ory.")
      ? id.slice(4)
      : id.startsWith(domainPrefix)
        ? id.slice(domainPrefix.length)
        : "";
    if (!key) continue;
    // Handed to elements as ICU source: its placeholders ({parts}, plurals) stay for elements to
    // fill; only {brand} is ours, filled in here as a literal.
    out[key] = (CATALOGS[locale][id] ?? en[id]).replaceAll("{brand}", icuLiteral(env.brand.name));
  }
  for (const l of LOCALES) out[`forms.option.traits.locale.${l}`] = icuLiteral(LANGUAGE_NAMES[l]);
  // Elements' placeholder is "Enter your {placeholder}" ("Enter your Email"; in German and French
  // the grammar breaks too): the field's own label reads right in every language.
  out["input.placeholder"] = "{placeholder}";
  return { ...out, ...KRATOS_OVERRIDES[locale] };
}

/** Elements' own translation for `locale`; for pt-BR its Portuguese in Brazilian words. */
function elementsBase(locale: Locale): Record<string, string> {
  const base = OryLocales[elementsLocale(locale)] ?? {};
  if (locale !== "pt-BR") return base;
  return Object.fromEntries(Object.entries(base).map(([k, v]) => [k, brazilian(v)]));
}

/** The `intl` setting for @ory/elements-react: its locale, with our texts layered over its own. */
export function elementsIntl(locale: Locale, env: Pick<HeraEnv, "domain" | "brand">) {
  const el = elementsLocale(locale);
  const custom =
    locale === "pt-BR"
      ? { ...elementsBase(locale), ...elementsOverrides(locale, env) }
      : elementsOverrides(locale, env);
  return { locale: el, customTranslations: { [el]: custom } };
}

/**
 * Every elements message id in `locale`, English underneath, for Hera's own rendering of flows (the
 * form shown without JavaScript): the same texts elements shows with it.
 */
export function flowMessages(locale: Locale, env: Pick<HeraEnv, "domain" | "brand">): Record<string, string> {
  return {
    ...OryLocales.en,
    ...elementsOverrides("en", env),
    ...elementsBase(locale),
    ...elementsOverrides(locale, env),
  };
}

/**
 * A Kratos UI text (message id + English text + context) in `locale`, as elements renders it:
 * `identities.messages.<id>` from `messages` formatted with the context, else the core's English
 * text. Never the bare id.
 */
export function formatUiText(
  locale: Locale,
  messages: Record<string, string>,
  text: { id: number; text: string; context?: object } | undefined,
): string {
  if (!text) return "";
  const message = messages[`identities.messages.${text.id}`];
  if (!message) return text.text;
  const values: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(text.context ?? {})) {
    if (Array.isArray(value)) {
      values[key] = value.join(", ");
      values[`${key}_list`] = value.join(", ");
    } else if (typeof value === "number" && key.endsWith("_unix")) {
      values[key] = new Intl.DateTimeFormat(locale).format(new Date(value * 1000));
      values[`${key}_until_minutes`] = Math.ceil((value - Date.now() / 1000) / 60);
      values[`${key}_since_minutes`] = Math.ceil((Date.now() / 1000 - value) / 60);
    } else if (typeof value === "string" || typeof value === "number") {
      values[key] = value;
    } else if (value !== null && value !== undefined) {
      values[key] = JSON.stringify(value);
    }
  }
  try {
    return createIntl({ locale, messages: { m: message }, onError: () => {} }, cache).formatMessage(
      { id: "m" },
      values,
    );
  } catch {
    return text.text;
  }
}
