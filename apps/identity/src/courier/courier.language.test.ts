import { Configuration, FrontendApi, IdentityApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  extractCode,
  fixtureSchemaPath,
  type MailCatcher,
  startMailCatcher,
  startTestCore,
  type TestCore,
} from "../testing/index.ts";
import { readFileSync } from "node:fs";

// The test schema plus the `locale` trait Olympus' shipped schemas declare.
const schema = JSON.parse(readFileSync(fixtureSchemaPath, "utf8"));
schema.properties.traits.properties.locale = { type: "string", title: "Language", maxLength: 35 };
const schemaUrl = `base64://${Buffer.from(JSON.stringify(schema)).toString("base64")}`;

let mail: MailCatcher;
let t: TestCore;

beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestCore({
    mail,
    overrides: { identity: { default_schema_id: "default", schemas: [{ id: "default", url: schemaUrl }] } },
  });
});
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
});

/** The public API as a client whose users read `lang`. */
const frontend = (lang: string) =>
  new FrontendApi(new Configuration({ basePath: t.publicUrl, headers: { "accept-language": lang } }));

async function register(email: string, lang: string, locale?: string): Promise<string> {
  const api = frontend(lang);
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: {
      method: "password",
      password: "correct horse battery",
      traits: { email, ...(locale ? { locale } : {}) },
    },
  });
  return res.identity.id;
}

async function recover(email: string, lang: string): Promise<void> {
  const api = frontend(lang);
  const flow = await api.createNativeRecoveryFlow();
  await api.updateRecoveryFlow({ flow: flow.id, updateRecoveryFlowBody: { method: "code", email } });
}

describe("emails in the reader's language (through MailDev)", () => {
  it("writes the verification mail in the identity's stored locale, over the browser's language", async () => {
    await register("sprache-de@example.com", "fr-FR,fr;q=0.9", "de-DE");
    const m = await mail.waitFor("sprache-de@example.com");
    expect(m.subject).toBe("Olympus TEST: Bitte bestätigen Sie Ihre E-Mail-Adresse");
    expect(m.text).toContain("Bitte bestätigen Sie Ihre E-Mail-Adresse mit folgendem Code:");
    expect(m.text).toContain("Der Code und der Link sind 60 Minuten lang gültig.");
    expect(m.html).toContain('<html lang="de">');
    expect(m.html).toContain("Wenn Sie das nicht angefordert haben");
    expect(extractCode(m)).toMatch(/^\d{6}$/);
  });

  it("falls back to the browser's Accept-Language when the identity has no locale", async () => {
    await register("idioma-pt@example.com", "pt-BR,pt;q=0.9,en;q=0.5");
    const m = await mail.waitFor("idioma-pt@example.com");
    expect(m.subject).toBe("Olympus TEST: confirme seu endereço de e-mail");
    expect(m.html).toContain('<html lang="pt-BR">');
  });

  it("falls back to English for a language it does not write", async () => {
    await register("lang-zh@example.com", "zh-CN", "ja");
    const m = await mail.waitFor("lang-zh@example.com");
    expect(m.subject).toBe("Olympus TEST: please verify your email address");
    expect(m.html).toContain('<html lang="en">');
  });

  it("follows a locale changed later (admin API): the recovery mail comes in the new language", async () => {
    const id = await register("idioma-es@example.com", "en");
    await mail.waitFor("idioma-es@example.com");
    const admin = new IdentityApi(new Configuration({ basePath: t.adminUrl }));
    await admin.patchIdentity({
      id,
      jsonPatch: [{ op: "add", path: "/traits/locale", value: "es" }],
    });
    await recover("idioma-es@example.com", "de");
    const m = await mail.waitFor("idioma-es@example.com", { match: (x) => /recupera/.test(x.subject) });
    expect(m.subject).toBe("Olympus TEST: recupera el acceso a tu cuenta");
    expect(m.text).toContain("El código es válido durante 60 minutos.");
  });

  it("writes to an unknown address in the language of the browser that asked", async () => {
    await recover("inconnu@example.com", "fr-CA,fr;q=0.9");
    const m = await mail.waitFor("inconnu@example.com");
    expect(m.subject).toBe("Olympus TEST : tentative d’accès à un compte");
    expect(m.text).not.toMatch(/\d{6}/);
  });
});
