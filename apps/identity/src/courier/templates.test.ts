import { describe, expect, it } from "vitest";
import type { AppContext } from "../app/context.ts";
import { parseConfig } from "../config/index.ts";
import { testConfig } from "../testing/index.ts";
import { EMAIL_LOCALES } from "./locale.ts";
import { renderSms, renderTemplate } from "./templates.ts";

const ctxWith = (overrides: Record<string, unknown>) =>
  ({ config: parseConfig(testConfig({ dsn: "memory://", overrides })) }) as AppContext;

describe("courier templates", () => {
  it("brands per domain and puts the code on a line of its own", () => {
    const ctx = ctxWith({ domain: "ciam", courier: { template: { accent: "#0f766e" } } });
    const r = renderTemplate(ctx, "verification_code_valid", {
      verification_code: "012345",
      verification_url: "http://localhost:3000/.ory/self-service/verification?flow=f&code=012345",
      to: "a@example.com",
    });
    expect(r.subject).toBe("Olympus CIAM: please verify your email address");
    expect(r.text.split("\n")).toContain("012345");
    expect(r.text).toContain("The code and the link are valid for 60 minutes.");
    expect(r.html).toContain("Olympus CIAM");
    expect(r.html).toContain("#0f766e");
    expect(r.html).toContain("012345");
  });

  it("carries the link next to the code: on a line of its own in text, escaped in HTML", () => {
    const ctx = ctxWith({});
    for (const [template, data] of [
      [
        "verification_code_valid",
        {
          verification_code: "012345",
          verification_url: "http://h/.ory/self-service/verification?flow=f&code=012345",
          to: "a@example.com",
        },
      ],
      [
        "recovery_code_valid",
        {
          recovery_code: "012345",
          recovery_url: "http://h/.ory/self-service/recovery?flow=f&code=012345",
          to: "a@example.com",
        },
      ],
    ] as const) {
      const r = renderTemplate(ctx, template, data as never);
      const kind = template.split("_")[0];
      const url = `http://h/.ory/self-service/${kind}?flow=f&code=012345`;
      const lines = r.text.split("\n");
      // The code comes first: readers (and tests) that take the first six digits get the code.
      expect(lines.indexOf("012345")).toBeGreaterThan(-1);
      expect(lines.indexOf(url)).toBeGreaterThan(lines.indexOf("012345"));
      const escaped = url.replace("&", "&amp;");
      expect(r.html).toContain(`href="${escaped}"`);
      expect(r.html).not.toContain(url);
    }
  });

  it("uses the configured brand, escaped in HTML", () => {
    const ctx = ctxWith({ courier: { template: { brand: "Acme <Staff>" } } });
    const r = renderTemplate(ctx, "recovery_code_valid", {
      recovery_code: "987654",
      recovery_url: "http://h/.ory/self-service/recovery?flow=f&code=987654",
      to: "a@example.com",
    });
    expect(r.subject).toBe("Acme <Staff>: recover access to your account");
    expect(r.html).toContain("Acme &lt;Staff&gt;");
    expect(r.html).not.toContain("<Staff>");
  });

  it("says nothing about codes to an address no account has", () => {
    const ctx = ctxWith({});
    for (const t of ["verification_code_invalid", "recovery_code_invalid"] as const) {
      const r = renderTemplate(ctx, t, { to: "x@example.com" });
      expect(r.text).not.toMatch(/\d{6}/);
      expect(r.html).toContain("<!doctype html>");
    }
  });
});

describe("courier templates per language", () => {
  const ctx = ctxWith({ courier: { template: { brand: "Acme" } } });
  const data = {
    verification_code_valid: { verification_code: "012345", verification_url: "http://h/v", to: "a@x.io" },
    verification_code_invalid: { to: "a@x.io" },
    recovery_code_valid: { recovery_code: "012345", recovery_url: "http://h/r", to: "a@x.io" },
    recovery_code_invalid: { to: "a@x.io" },
    login_code_valid: { login_code: "012345", to: "a@x.io" },
    registration_code_valid: { registration_code: "012345", to: "a@x.io" },
  } as const;

  it("writes each template in each language, with no English sentence left in the others", () => {
    const english = new Set<string>();
    for (const [template, d] of Object.entries(data)) {
      for (const line of renderTemplate(ctx, template as never, d as never, "en").text.split("\n")) {
        if (/[a-z]{4}/.test(line) && !line.startsWith("http")) english.add(line);
      }
    }
    for (const locale of EMAIL_LOCALES.filter((l) => l !== "en")) {
      for (const [template, d] of Object.entries(data)) {
        const r = renderTemplate(ctx, template as never, d as never, locale);
        expect(r.html).toContain(`<html lang="${locale}">`);
        for (const line of r.text.split("\n"))
          expect(english.has(line), `${locale} ${template}: ${line}`).toBe(false);
        expect(r.subject.startsWith("Acme")).toBe(true);
        expect(r.subject).not.toBe(renderTemplate(ctx, template as never, d as never, "en").subject);
      }
    }
  });

  it("keeps the code on a line of its own in every language", () => {
    for (const locale of EMAIL_LOCALES) {
      const r = renderTemplate(ctx, "recovery_code_valid", data.recovery_code_valid, locale);
      expect(r.text.split("\n")).toContain("012345");
      expect(r.text.split("\n")).toContain("http://h/r");
    }
  });
});

describe("the code method's messages", () => {
  const ctx = ctxWith({ courier: { template: { brand: "Acme" } } });

  it("mails a sign-in and a sign-up code on a line of their own, with no link, in every language", () => {
    for (const locale of EMAIL_LOCALES) {
      const login = renderTemplate(ctx, "login_code_valid", { login_code: "482913", to: "a@x.io" }, locale);
      const signup = renderTemplate(
        ctx,
        "registration_code_valid",
        { registration_code: "482914", to: "a@x.io" },
        locale,
      );
      expect(login.text.split("\n")).toContain("482913");
      expect(signup.text.split("\n")).toContain("482914");
      expect(login.subject).not.toBe(signup.subject);
      for (const r of [login, signup]) {
        expect(r.text).not.toMatch(/https?:/);
        expect(r.html).not.toContain("<a href");
      }
    }
  });

  it("texts the code first, short enough for one SMS, different per language", () => {
    const seen = new Set<string>();
    for (const locale of EMAIL_LOCALES) {
      for (const sms of [
        renderSms(ctx, "login_code_valid", { login_code: "482913", to: "+1" }, locale),
        renderSms(ctx, "registration_code_valid", { registration_code: "482913", to: "+1" }, locale),
      ]) {
        expect(sms.startsWith("482913 ")).toBe(true);
        expect(sms).toContain("Acme");
        expect(sms).toContain("60");
        expect(sms.length).toBeLessThanOrEqual(160);
        expect(seen.has(sms)).toBe(false);
        seen.add(sms);
      }
    }
  });
});
