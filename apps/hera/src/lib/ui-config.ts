import type { OryClientConfiguration } from "@ory/elements-react";
import type { HeraEnv } from "./env";

/** Wording per domain: customers get a friendly tone, employees a plain workplace one. */
export function copyFor(env: HeraEnv): Record<string, string> {
  const shared = {
    "forms.label.forgot-password": "Forgot password?",
    "forms.label.recover-account": "Forgot password?",
    // The core labels the login identifier "ID" when a schema has several identifiers (CIAM's
    // email, username, phone); say what people actually type.
    "identities.messages.1070004": "Email or username",
    "recovery.title": "Reset your password",
    "recovery.subtitle": "Enter the email address of your account and we'll send you a one-time code.",
    "verification.title": "Verify your email address",
    "verification.subtitle": "Enter your email address and we'll send you a verification code.",
    "settings.title": "Your account",
    "settings.subtitle": "Update your profile and password",
    "identities.messages.4000006": "The email address or password is incorrect. Check them and try again.",
  };
  if (env.domain === "iam") {
    return {
      ...shared,
      "login.title": `Sign in to ${env.brand.name}`,
      "login.subtitle": "Employees and operators: sign in with {parts}",
    };
  }
  return {
    ...shared,
    "login.title": "Welcome back",
    "login.subtitle": "Sign in with {parts}",
    "login.registration-label": "New here?",
    "login.registration-button": "Create an account",
    "registration.title": "Create your account",
    "registration.subtitle": "Sign up with {parts}",
    "registration.login-label": "Already have an account?",
    "registration.login-button": "Sign in",
  };
}

/**
 * The @ory/elements-react configuration, built per request from the run-time environment: the
 * SDK talks to the core through Hera's own `/.ory` proxy, so every call is same-origin.
 */
export function elementsConfig(env: HeraEnv): OryClientConfiguration {
  const u = env.publicUrl;
  return {
    sdk: { url: `${u}/.ory` },
    // Keys are elements' own message ids; the ones not overridden keep elements' English text.
    intl: { locale: "en", customTranslations: { en: copyFor(env) } },
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
