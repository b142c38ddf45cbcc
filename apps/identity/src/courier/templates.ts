import type { AppContext } from "../app/context.ts";
import type { EmailLocale } from "./locale.ts";
import { type EmailMessages, emailMessages } from "./messages.ts";

/** Template ids as Kratos names them (template_type on courier messages). */
export interface TemplateData {
  verification_code_valid: { verification_code: string; verification_url: string; to: string };
  verification_code_invalid: { to: string };
  recovery_code_valid: { recovery_code: string; recovery_url?: string; to: string };
  recovery_code_invalid: { to: string };
  /** The `code` method's codes (Kratos' template ids; sent by email or, to a phone number, by SMS). */
  login_code_valid: { login_code: string; to: string };
  registration_code_valid: { registration_code: string; to: string };
  /** Olympus-only security notices; `at` is an ISO 8601 instant. */
  security_password_changed: { to: string; at: string };
  security_second_factor_added: { to: string; factor: SecondFactor; at: string };
  security_second_factor_removed: { to: string; factor: SecondFactor; at: string };
  security_account_locked: { to: string; locked_until: string; minutes: number };
}
export type SecondFactor = "totp" | "lookup_secret" | "webauthn";
export type TemplateType = keyof TemplateData;

export interface Rendered {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

function brandName(ctx: AppContext): string {
  return ctx.config.courier.template.brand ?? `Olympus ${ctx.config.domain.toUpperCase()}`;
}

/** A code and the link that submits it for the reader (Kratos' code emails carry both). */
interface CodeAndLink {
  code: string;
  /** Absent: the code alone (a recovery flow an app started has no browser to open a link in). */
  url?: string;
  linkLabel: string;
  /** The line above the link. */
  linkIntro: string;
}

function layout(
  ctx: AppContext,
  locale: EmailLocale,
  heading: string,
  paragraphs: string[],
  codeAndLink?: CodeAndLink,
  after?: string,
  footer?: string,
): string {
  const accent = escapeHtml(ctx.config.courier.template.accent);
  const brand = escapeHtml(brandName(ctx));
  const body = paragraphs
    .map((p) => `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(p)}</p>`)
    .join("");
  const codeBlock = codeAndLink
    ? `<p style="font-size:28px;letter-spacing:6px;font-weight:700;margin:24px 0;color:${accent}">${escapeHtml(codeAndLink.code)}</p>` +
      (codeAndLink.url
        ? `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(codeAndLink.linkIntro)}</p>` +
          `<p style="margin:0 0 24px"><a href="${escapeHtml(codeAndLink.url)}" style="display:inline-block;background:${accent};color:#fff;text-decoration:none;font-weight:600;padding:10px 18px;border-radius:8px">${escapeHtml(codeAndLink.linkLabel)}</a></p>` +
          `<p style="margin:0 0 16px;font-size:13px;line-height:1.5;color:#6b7280;word-break:break-all">${escapeHtml(codeAndLink.url)}</p>`
        : "")
    : "";
  const afterBlock = after ? `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(after)}</p>` : "";
  const ignore = escapeHtml(footer ?? emailMessages[locale].ignore);
  return `<!doctype html><html lang="${locale}"><body style="margin:0;background:#f4f4f7;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1f2937"><table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:32px 16px"><table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#fff;border-radius:12px;padding:32px"><tr><td><div style="font-weight:700;font-size:18px;color:${accent};margin-bottom:24px">${brand}</div><h1 style="font-size:22px;margin:0 0 16px">${escapeHtml(heading)}</h1>${body}${codeBlock}${afterBlock}<p style="margin:24px 0 0;font-size:13px;color:#6b7280">${ignore}</p></td></tr></table></td></tr></table></body></html>`;
}

/** "valid for 60 minutes", from selfservice.methods.code.lifespan (codes of self-service flows live that long). */
function validity(ctx: AppContext, m: EmailMessages, withLink = true): string {
  const minutes = Math.max(1, Math.round(ctx.config.selfservice.methods.code.lifespan / 60_000));
  return m.validity(minutes, withLink);
}

/** "2026-12-07 10:30 UTC": a time every reader reads the same way, whatever the language. */
function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A security notice: a heading, one statement, and what to do if it was not the reader. */
function notice(ctx: AppContext, locale: EmailLocale, subject: string, heading: string, body: string) {
  const m = emailMessages[locale];
  return {
    subject,
    text: `${body}\n\n${m.notYou}\n`,
    html: layout(ctx, locale, heading, [body], undefined, undefined, m.notYou),
  };
}

/** Renders a courier template (subject, text and HTML) in `locale`, branded for the domain. */
export function renderTemplate<T extends TemplateType>(
  ctx: AppContext,
  template: T,
  data: TemplateData[T],
  locale: EmailLocale = "en",
): Rendered {
  const brand = brandName(ctx);
  const m = emailMessages[locale];
  switch (template) {
    case "verification_code_valid": {
      const { verification_code: code, verification_url: url } =
        data as TemplateData["verification_code_valid"];
      return {
        subject: m.verifySubject(brand),
        text: `${m.verifyIntro}\n\n${code}\n\n${m.openLink}\n\n${url}\n\n${validity(ctx, m)}\n`,
        html: layout(
          ctx,
          locale,
          m.verifyHeading,
          [m.verifyIntro],
          { code, url, linkLabel: m.verifyLinkLabel, linkIntro: m.openLink },
          validity(ctx, m),
        ),
      };
    }
    case "verification_code_invalid":
      return {
        subject: m.verifyUnknownSubject(brand),
        text: `${m.verifyUnknownBody}\n`,
        html: layout(ctx, locale, m.verifyUnknownHeading, [m.verifyUnknownBody]),
      };
    case "recovery_code_valid": {
      const { recovery_code: code, recovery_url: url } = data as TemplateData["recovery_code_valid"];
      // The link signs in only the browser that asked for the code (selfservice/flow/email-link.ts).
      return {
        subject: m.recoverSubject(brand),
        text: url
          ? `${m.recoverIntro}\n\n${code}\n\n${m.recoverLinkIntro}\n\n${url}\n\n${validity(ctx, m)}\n`
          : `${m.recoverIntro}\n\n${code}\n\n${validity(ctx, m, false)}\n`,
        html: layout(
          ctx,
          locale,
          m.recoverHeading,
          [m.recoverIntro],
          { code, url, linkLabel: m.recoverLinkLabel, linkIntro: m.recoverLinkIntro },
          validity(ctx, m, Boolean(url)),
        ),
      };
    }
    case "recovery_code_invalid":
      return {
        subject: m.recoverUnknownSubject(brand),
        text: `${m.recoverUnknownBody}\n`,
        html: layout(ctx, locale, m.recoverUnknownHeading, [m.recoverUnknownBody]),
      };
    case "login_code_valid":
    case "registration_code_valid": {
      const login = template === "login_code_valid";
      const code = login
        ? (data as TemplateData["login_code_valid"]).login_code
        : (data as TemplateData["registration_code_valid"]).registration_code;
      const intro = login ? m.loginCodeIntro : m.registrationCodeIntro;
      return {
        subject: login ? m.loginCodeSubject(brand) : m.registrationCodeSubject(brand),
        text: `${intro}\n\n${code}\n\n${validity(ctx, m, false)}\n`,
        html: layout(
          ctx,
          locale,
          login ? m.loginCodeHeading : m.registrationCodeHeading,
          [intro],
          { code, linkLabel: "", linkIntro: "" },
          validity(ctx, m, false),
        ),
      };
    }
    case "security_password_changed": {
      const { at } = data as TemplateData["security_password_changed"];
      return notice(
        ctx,
        locale,
        m.passwordChangedSubject(brand),
        m.passwordChangedHeading,
        m.passwordChangedBody(when(at)),
      );
    }
    case "security_second_factor_added": {
      const { factor, at } = data as TemplateData["security_second_factor_added"];
      return notice(
        ctx,
        locale,
        m.factorAddedSubject(brand),
        m.factorAddedHeading,
        m.factorAddedBody(m.factorNames[factor], when(at)),
      );
    }
    case "security_second_factor_removed": {
      const { factor, at } = data as TemplateData["security_second_factor_removed"];
      return notice(
        ctx,
        locale,
        m.factorRemovedSubject(brand),
        m.factorRemovedHeading,
        m.factorRemovedBody(m.factorNames[factor], when(at)),
      );
    }
    case "security_account_locked": {
      const { minutes } = data as TemplateData["security_account_locked"];
      return notice(ctx, locale, m.lockedSubject(brand), m.lockedHeading, m.lockedBody(minutes));
    }
  }
  throw new Error(`unknown template ${String(template)}`);
}

/** Templates that can go by SMS: the `code` method's codes. */
export type SmsTemplateType = "login_code_valid" | "registration_code_valid";

/** The text message of an SMS template, in `locale` (one short line, the code first). */
export function renderSms<T extends SmsTemplateType>(
  ctx: AppContext,
  template: T,
  data: TemplateData[T],
  locale: EmailLocale = "en",
): string {
  const m = emailMessages[locale];
  const minutes = Math.max(1, Math.round(ctx.config.selfservice.methods.code.lifespan / 60_000));
  if (template === "login_code_valid") {
    return m.smsLoginCode(brandName(ctx), (data as TemplateData["login_code_valid"]).login_code, minutes);
  }
  return m.smsRegistrationCode(
    brandName(ctx),
    (data as TemplateData["registration_code_valid"]).registration_code,
    minutes,
  );
}
