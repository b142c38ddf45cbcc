import { LANGUAGE_NAMES, LOCALES, type Locale } from "@/lib/i18n/locales";

/**
 * The language picker in the footer: one submit button per language, each named in its own
 * language, posting to /language (a cookie remembers it). A plain form, so it works without scripts.
 */
export function LanguagePicker({ locale, label }: { locale: Locale; label: string }) {
  return (
    <form method="post" action="/language" className="hera-lang" aria-labelledby="hera-lang-label">
      <span id="hera-lang-label">{label}</span>
      {LOCALES.map((l) => (
        <button
          key={l}
          type="submit"
          name="lang"
          value={l}
          lang={l}
          className="hera-lang-option"
          aria-current={l === locale ? "true" : undefined}
        >
          {LANGUAGE_NAMES[l]}
        </button>
      ))}
    </form>
  );
}
