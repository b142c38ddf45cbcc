import { describe, expect, it } from "vitest";
import {
  elementsLocale,
  languageChoice,
  localeFromCookieHeader,
  matchLocale,
  negotiateLocale,
  upstreamAcceptLanguage,
} from "./locales";

describe("matchLocale (Accept-Language negotiation)", () => {
  it("picks the browser's first language we speak, regional variants included", () => {
    expect(matchLocale("de-DE,de;q=0.9,en;q=0.8")).toBe("de");
    expect(matchLocale("de-CH")).toBe("de");
    expect(matchLocale("fr-CA, en;q=0.5")).toBe("fr");
    expect(matchLocale("es-419")).toBe("es");
    expect(matchLocale("it, es;q=0.7, en;q=0.3")).toBe("es");
  });
  it("honours q-values over order", () => {
    expect(matchLocale("en;q=0.2, fr;q=0.9")).toBe("fr");
  });
  it("reads every Portuguese as pt-BR, and POSIX tags as BCP 47", () => {
    expect(matchLocale("pt-BR")).toBe("pt-BR");
    expect(matchLocale("pt-PT")).toBe("pt-BR");
    expect(matchLocale("pt")).toBe("pt-BR");
    expect(matchLocale("pt_BR")).toBe("pt-BR");
    expect(matchLocale("de_AT")).toBe("de");
  });
  it("gives nothing for languages we do not write, garbage, q=0 or oversized headers", () => {
    expect(matchLocale("ja, zh-CN;q=0.8")).toBeUndefined();
    expect(matchLocale("de;q=0")).toBeUndefined();
    expect(matchLocale("")).toBeUndefined();
    expect(matchLocale(null)).toBeUndefined();
    expect(matchLocale(";;;,,,=")).toBeUndefined();
    expect(matchLocale(`${"x-".repeat(600)}de`)).toBeUndefined();
  });
});

describe("negotiateLocale", () => {
  it("prefers the picked language (cookie) over the browser's", () => {
    expect(negotiateLocale({ cookie: "fr", acceptLanguage: "de-DE" })).toBe("fr");
    expect(negotiateLocale({ cookie: "pt-BR", acceptLanguage: "de-DE" })).toBe("pt-BR");
  });
  it("ignores a cookie that is not one of our languages", () => {
    expect(negotiateLocale({ cookie: "xx", acceptLanguage: "es" })).toBe("es");
    expect(negotiateLocale({ cookie: "DE", acceptLanguage: null })).toBe("en");
    expect(negotiateLocale({ cookie: "<script>", acceptLanguage: "fr" })).toBe("fr");
  });
  it("falls back to English", () => {
    expect(negotiateLocale({})).toBe("en");
    expect(negotiateLocale({ acceptLanguage: "ja" })).toBe("en");
  });
});

describe("elementsLocale", () => {
  it("maps pt-BR onto elements' single Portuguese and keeps the others", () => {
    expect(elementsLocale("pt-BR")).toBe("pt");
    expect(elementsLocale("de")).toBe("de");
  });
});

describe("localeFromCookieHeader and upstreamAcceptLanguage", () => {
  it("finds Hera's language cookie among others", () => {
    expect(localeFromCookieHeader("a=1; hera_lang=es; olympus_ciam_session=x")).toBe("es");
    expect(localeFromCookieHeader("xhera_lang=es")).toBeUndefined();
    expect(localeFromCookieHeader("hera_lang=klingon")).toBeUndefined();
    expect(localeFromCookieHeader(null)).toBeUndefined();
  });
  it("puts the picked language first for the core, and leaves the header alone when none was picked", () => {
    expect(upstreamAcceptLanguage("hera_lang=fr", "de-DE,de;q=0.9")).toBe("fr, de-DE,de;q=0.9");
    expect(upstreamAcceptLanguage("hera_lang=pt-BR", null)).toBe("pt-BR");
    expect(upstreamAcceptLanguage("other=1", "de")).toBeUndefined();
    expect(upstreamAcceptLanguage("hera_lang=de", "en\r\nX-Evil: 1")).toBe("de, enX-Evil 1");
  });
});

describe("languageChoice (the picker's post)", () => {
  const HERA = "http://localhost:3000";
  it("accepts one of our languages and returns to the same-origin page it came from", () => {
    expect(languageChoice("de", `${HERA}/login?flow=abc`, HERA)).toEqual({
      ok: true,
      locale: "de",
      location: `${HERA}/login?flow=abc`,
    });
  });
  it("never redirects off Hera's origin", () => {
    expect(languageChoice("fr", "https://evil.example/phish", HERA)).toMatchObject({ location: `${HERA}/` });
    expect(languageChoice("fr", "not a url", HERA)).toMatchObject({ location: `${HERA}/` });
    expect(languageChoice("fr", null, HERA)).toMatchObject({ location: `${HERA}/` });
  });
  it("refuses anything that is not one of our languages", () => {
    for (const bad of ["xx", "", undefined, ["de", "fr"], "de; Path=/admin", 7]) {
      expect(languageChoice(bad, `${HERA}/`, HERA)).toEqual({ ok: false });
    }
  });
});
