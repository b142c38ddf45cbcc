import type { OryClientConfiguration } from "@ory/elements-react";
import type { HeraEnv } from "./env";
import { elementsIntl, flowMessages, type Locale, translator } from "./i18n";

/**
 * Every elements message id in the page's language with Hera's wording over it (per domain: customers
 * get a friendly tone, employees a plain workplace one), for Hera's own rendering of a flow.
 */
export function copyFor(
  env: HeraEnv,
  locale: Locale,
): { locale: Locale; messages: Record<string, string>; continueLabel: string } {
  return { locale, messages: flowMessages(locale, env), continueLabel: translator(locale)("form.continue") };
}

/**
 * The @ory/elements-react configuration, built per request from the run-time environment: the
 * SDK talks to the core through Hera's own `/.ory` proxy, so every call is same-origin.
 */
export function elementsConfig(env: HeraEnv, locale: Locale): OryClientConfiguration {
  const u = env.publicUrl;
  return {
    sdk: { url: `${u}/.ory` },
    // Elements' own translation for the page's language, with Hera's texts over it (lib/i18n).
    intl: elementsIntl(locale, env),
    project: {
      name: env.brand.name,
      registration_enabled: env.registrationEnabled,
      verification_enabled: env.verificationEnabled,
      recovery_enabled: env.recoveryEnabled,
      login_ui_url: `${u}/login`,
      registration_ui_url: `${u}/registration`,
      recovery_ui_url: `${u}/recovery`,
      verification_ui_url: `${u}/verification`,
      settings_ui_url: `${u}/settings`,
      error_ui_url: `${u}/error`,
      default_redirect_url: `${u}/`,
      hide_ory_branding: true,
      ...(env.brand.logoUrl ? { logo_light_url: env.brand.logoUrl } : {}),
    },
  };
}
