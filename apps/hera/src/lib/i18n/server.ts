import "server-only";
import { cookies, headers } from "next/headers";
import { heraEnv } from "../env";
import {
  elementsIntl,
  type Locale,
  LOCALE_COOKIE,
  negotiateLocale,
  type Translate,
  translator,
} from "./index";

/** The language of the page being rendered: the picked one (cookie), else the browser's, else English. */
export async function requestLocale(): Promise<Locale> {
  const [jar, h] = await Promise.all([cookies(), headers()]);
  return negotiateLocale({ cookie: jar.get(LOCALE_COOKIE)?.value, acceptLanguage: h.get("accept-language") });
}

/** The language of this request and its translator. */
export async function requestI18n(): Promise<{ locale: Locale; t: Translate }> {
  const locale = await requestLocale();
  return { locale, t: translator(locale) };
}

/** The elements `intl` setting for this request. */
export async function requestElementsIntl() {
  return elementsIntl(await requestLocale(), heraEnv());
}
