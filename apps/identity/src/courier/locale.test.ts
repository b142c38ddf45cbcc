import { describe, expect, it } from "vitest";
import { emailLocale, matchLocale } from "./locale.ts";

describe("email language", () => {
  it("matches Accept-Language lists by weight and by primary language", () => {
    expect(matchLocale("de-CH, fr;q=0.8")).toBe("de");
    expect(matchLocale("fr-CA;q=0.5, es;q=0.9")).toBe("es");
    expect(matchLocale("zh, de;q=0.1")).toBe("de");
    expect(matchLocale("EN-gb")).toBe("en");
  });

  it("writes every Portuguese variant in Brazilian Portuguese", () => {
    for (const tag of ["pt", "pt-BR", "pt-br", "pt-PT", "pt_BR"]) expect(matchLocale(tag)).toBe("pt-BR");
  });

  it("has no match for languages it does not write, refused ones, or junk", () => {
    for (const tag of ["xx", "ja", "de;q=0", "", ";;;", "a".repeat(2000)])
      expect(matchLocale(tag)).toBeUndefined();
    expect(matchLocale(undefined)).toBeUndefined();
  });

  it("prefers the stored locale trait, then the browser, then English", () => {
    expect(emailLocale({ traits: { locale: "de" }, acceptLanguage: "fr" })).toBe("de");
    expect(emailLocale({ traits: { locale: "ja" }, acceptLanguage: "fr" })).toBe("fr");
    expect(emailLocale({ traits: { locale: 42 }, acceptLanguage: "es" })).toBe("es");
    expect(emailLocale({ traits: ["de"], acceptLanguage: null })).toBe("en");
    expect(emailLocale({})).toBe("en");
  });
});
