import { OryLocales } from "@ory/elements-react";
import { describe, expect, it } from "vitest";
import copied from "./ory-locales.json";
import { de } from "./catalogs/de";
import { en } from "./catalogs/en";
import { es } from "./catalogs/es";
import { fr } from "./catalogs/fr";
import { brazilian, ptBR } from "./catalogs/pt-BR";
import {
  elementsIntl,
  elementsOverrides,
  flowMessages,
  formatUiText,
  LOCALES,
  type MessageId,
  translator,
} from "./index";

const CIAM = {
  domain: "ciam" as const,
  brand: { name: "Olympus", accent: "#000", accentHover: "#000", logoUrl: undefined },
};
const IAM = { ...CIAM, domain: "iam" as const, brand: { ...CIAM.brand, name: "Olympus IAM" } };

describe("catalogs", () => {
  const catalogs = { de, fr, es, "pt-BR": ptBR };
  it("translate every English text, and keep its placeholders", () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [name, catalog] of Object.entries(catalogs)) {
      expect(Object.keys(catalog).sort(), name).toEqual(Object.keys(en).sort());
      for (const id of Object.keys(en) as MessageId[]) {
        expect(placeholders(catalog[id]), `${name} ${id}`).toEqual(placeholders(en[id]));
        // A translation that is still the English text is a missed one (names and "OK" aside).
        if (en[id].length > 12) expect(catalog[id], `${name} ${id} is untranslated`).not.toBe(en[id]);
      }
    }
  });
});

describe("translator", () => {
  it("formats Hera's texts in each language", () => {
    expect(translator("de")("home.hello", { name: "Anna" })).toBe("Hallo, Anna");
    expect(translator("fr")("consent.title", { client: "Acme" })).toBe(
      "Acme souhaite accéder à votre compte",
    );
    expect(translator("pt-BR")("layout.footer.ciam", { brand: "Olympus" })).toBe("Sua conta Olympus");
    expect(translator("en")("home.signed-in-to", { brand: "Olympus" })).toBe("You're signed in to Olympus.");
    expect(translator("de")("sessions.password-changed-body", { count: 2 })).toMatch(
      /^Sie sind noch auf 2 anderen Geräten/,
    );
  });
  it("treats values as text, not as message syntax", () => {
    expect(translator("en")("consent.title", { client: "{evil} <b>'x'" })).toBe(
      "{evil} <b>'x' wants to access your account",
    );
  });
  it("falls back to English for a missing translation, never to the id", () => {
    // A catalog is complete by type; at run time an id absent from every catalog still is not shown raw.
    const t = translator("de");
    expect(t("nope.missing" as MessageId)).not.toBe("");
    const missing = Object.keys(en).find((k) => !(k in de));
    expect(missing).toBeUndefined();
  });
});

describe("elements texts", () => {
  it("use elements' own translation for Kratos ids, with ours only for Hera's wording", () => {
    const intl = elementsIntl("de", CIAM);
    expect(intl.locale).toBe("de");
    const custom = intl.customTranslations.de!;
    expect(custom["login.title"]).toBe("Willkommen zurück");
    expect(custom["identities.messages.1070004"]).toBe("E-Mail oder Benutzername");
    // Kratos' sign-up button: not ours, so elements' German stays.
    expect(custom["identities.messages.1040001"]).toBeUndefined();
    expect(flowMessages("de", CIAM)["identities.messages.1040001"]).toBe(
      OryLocales.de!["identities.messages.1040001"],
    );
  });
  it("keep elements' {parts} placeholder and fill in the brand per domain, escaped for ICU", () => {
    expect(elementsOverrides("de", CIAM)["login.subtitle"]).toBe("Melden Sie sich mit {parts} an");
    expect(elementsOverrides("fr", IAM)["login.title"]).toBe("Connexion à Olympus IAM");
    expect(
      elementsOverrides("en", { ...IAM, brand: { ...IAM.brand, name: "Acme {x}'s" } })["login.title"],
    ).toBe("Sign in to Acme '{'x'}'''s");
    expect(elementsOverrides("en", IAM)["registration.title"]).toBeUndefined();
  });
  it("replace elements' texts that are wrong for us, in every language", () => {
    for (const l of LOCALES) {
      const o = flowMessages(l, CIAM);
      // Our backup codes are 8 letters and digits, not digits; no vendor named as "popular".
      for (const id of ["login.lookup_secret.subtitle", "two-step.lookup_secret.description"])
        expect(o[id], `${l} ${id}`).toMatch(/8 (letters|Buchstaben|lettres|letras)/);
      expect(o["settings.totp.description"], l).not.toMatch(/LastPass|Google/);
      // "Enter your Email": the placeholder is the field's label, as it is.
      expect(o["input.placeholder"], l).toBe("{placeholder}");
    }
  });
  it("name every language in itself for the locale trait's choice", () => {
    for (const l of LOCALES)
      expect(elementsOverrides(l, CIAM)["forms.option.traits.locale.de"]).toBe("Deutsch");
  });
  it("give pt-BR elements' Portuguese in Brazilian words, placeholders intact", () => {
    const intl = elementsIntl("pt-BR", CIAM);
    expect(intl.locale).toBe("pt");
    const pt = intl.customTranslations.pt!;
    expect(pt["identities.messages.1070001"]).toBe("Senha");
    expect(pt["identities.messages.1040001"]).toBe("Cadastrar");
    expect(Object.values(pt).join(" ")).not.toMatch(/palavra-passe/i);
    expect(brazilian("{password} e a palavra-passe")).toBe("{password} e a senha");
    expect(brazilian("Registar; ecrã.")).toBe("Cadastrar; tela.");
    expect(brazilian("palavra-passes")).toBe("palavra-passes");
  });
  it("fall back to English underneath every language", () => {
    const m = flowMessages("es", CIAM);
    for (const key of Object.keys(OryLocales.en!)) expect(m[key], key).toMatch(/\S/);
  });
});

describe("formatUiText (the form without JavaScript)", () => {
  it("translates a Kratos message by id with its context", () => {
    const m = flowMessages("de", CIAM);
    expect(formatUiText("de", m, { id: 1070007, text: "Email" })).toBe("E-Mail");
    expect(formatUiText("de", m, { id: 1070002, text: "Sprache", context: { title: "Sprache" } })).toBe(
      "Sprache",
    );
  });
  it("translates the core's Olympus-only messages, plurals included", () => {
    const m = flowMessages("de", CIAM);
    const text = (n: number) =>
      formatUiText("de", m, {
        id: 1050100,
        text: "Your password was changed…",
        context: { other_sessions: n },
      });
    expect(text(1)).toContain("in 1 anderen Sitzung angemeldet");
    expect(text(3)).toContain("in 3 anderen Sitzungen angemeldet");
    expect(
      formatUiText("fr", flowMessages("fr", CIAM), {
        id: 4000110,
        text: "Please verify a@b.c …",
        context: { addresses: ["a@b.c", "d@e.f"] },
      }),
    ).toBe(
      "Veuillez vérifier a@b.c, d@e.f avant d’ajouter un second facteur ou une autre adresse à ce compte.",
    );
    // Handed to elements with the plural intact, for elements to format.
    expect(elementsOverrides("es", CIAM)["identities.messages.1050100"]).toContain(
      "{other_sessions, plural,",
    );
  });
  it("shows the core's English text for an id no catalog knows, never the id", () => {
    const m = flowMessages("fr", CIAM);
    expect(formatUiText("fr", m, { id: 9999999, text: "Something new from the core" })).toBe(
      "Something new from the core",
    );
    expect(formatUiText("fr", m, undefined)).toBe("");
  });
});

describe("ory-locales.json", () => {
  it("is the installed @ory/elements-react's translations (run scripts/ory-locales.mjs after an upgrade)", () => {
    for (const l of ["en", "de", "fr", "es", "pt"] as const) {
      expect(copied[l], l).toEqual(OryLocales[l]);
    }
  });
});
