import { randomBytes } from "node:crypto";
import { PORTS } from "@olympus/platform";
import { localEndpoints, type DomainName } from "@olympus/sdk";
import { z } from "zod";

/**
 * Hera's run-time configuration. One build serves both domains, so nothing here may be read at
 * build time: every value comes from the environment of the process that runs `next start`.
 */
export interface HeraEnv {
  domain: DomainName;
  /** Where browsers reach this Hera (its origin; the core's public base_url is `<publicUrl>/.ory/`). */
  publicUrl: string;
  kratosPublicUrl: string;
  kratosAdminUrl: string;
  hydraAdminUrl: string;
  registrationEnabled: boolean;
  recoveryEnabled: boolean;
  verificationEnabled: boolean;
  captcha: { enabled: false } | { enabled: true; siteKey: string };
  brand: { name: string; accent: string; accentHover: string; logoUrl: string | undefined };
  /** Signs Hera's own form tokens (consent, logout, session revocation). */
  csrfSecret: Buffer;
  production: boolean;
}

const colour = z.string().regex(/^#[0-9a-fA-F]{3,8}$/, "a hex colour such as #0f766e");
const flag = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((v) => ["true", "1", "yes", "on"].includes(v));
const url = z
  .string()
  .url()
  .transform((v) => v.replace(/\/+$/, ""));

const brandDefaults: Record<DomainName, { name: string; accent: string; accentHover: string }> = {
  ciam: { name: "Olympus", accent: "#0f766e", accentHover: "#115e59" },
  iam: { name: "Olympus IAM", accent: "#4338ca", accentHover: "#3730a3" },
};

const schema = z.object({
  OLYMPUS_DOMAIN: z.enum(["ciam", "iam"]).default("ciam"),
  HERA_PUBLIC_URL: url.optional(),
  KRATOS_PUBLIC_URL: url.optional(),
  KRATOS_ADMIN_URL: url.optional(),
  HYDRA_ADMIN_URL: url.optional(),
  REGISTRATION_ENABLED: flag.optional(),
  RECOVERY_ENABLED: flag.optional(),
  VERIFICATION_ENABLED: flag.optional(),
  CAPTCHA_ENABLED: flag.optional(),
  TURNSTILE_SITE_KEY: z.string().min(1).optional(),
  BRAND_NAME: z.string().min(1).max(80).optional(),
  BRAND_ACCENT: colour.optional(),
  BRAND_ACCENT_HOVER: colour.optional(),
  BRAND_LOGO_URL: z.string().url().optional(),
  HERA_CSRF_SECRET: z.string().min(32, "at least 32 characters").optional(),
  NODE_ENV: z.string().optional(),
});

/** Thrown when the environment is invalid; the message names the variable and what it expects. */
export class EnvError extends Error {
  override name = "EnvError";
}

/** Parses an environment into Hera's configuration (pure: tests pass their own env). */
export function parseEnv(env: Record<string, string | undefined>): HeraEnv {
  // Empty strings mean "unset", as in most process managers' env files.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EnvError(`Hera: environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const domain = e.OLYMPUS_DOMAIN;
  const local = localEndpoints[domain];
  const isCiam = domain === "ciam";
  const captchaEnabled = e.CAPTCHA_ENABLED ?? false;
  if (captchaEnabled && !e.TURNSTILE_SITE_KEY) {
    throw new EnvError(
      "Hera: environment variable TURNSTILE_SITE_KEY: required when CAPTCHA_ENABLED is true",
    );
  }
  const brand = brandDefaults[domain];
  return {
    domain,
    publicUrl: e.HERA_PUBLIC_URL ?? `http://localhost:${PORTS[domain].hera}`,
    kratosPublicUrl: e.KRATOS_PUBLIC_URL ?? local.publicUrl,
    kratosAdminUrl: e.KRATOS_ADMIN_URL ?? local.adminUrl,
    hydraAdminUrl: e.HYDRA_ADMIN_URL ?? local.oauth2AdminUrl,
    registrationEnabled: e.REGISTRATION_ENABLED ?? isCiam,
    recoveryEnabled: e.RECOVERY_ENABLED ?? true,
    verificationEnabled: e.VERIFICATION_ENABLED ?? isCiam,
    captcha: captchaEnabled ? { enabled: true, siteKey: e.TURNSTILE_SITE_KEY! } : { enabled: false },
    brand: {
      name: e.BRAND_NAME ?? brand.name,
      accent: e.BRAND_ACCENT ?? brand.accent,
      accentHover: e.BRAND_ACCENT_HOVER ?? e.BRAND_ACCENT ?? brand.accentHover,
      logoUrl: e.BRAND_LOGO_URL,
    },
    // Replicas behind a load balancer share HERA_CSRF_SECRET; one process can make its own.
    csrfSecret: e.HERA_CSRF_SECRET ? Buffer.from(e.HERA_CSRF_SECRET) : processSecret(),
    production: e.NODE_ENV === "production",
  };
}

/**
 * A random secret shared by the whole process. Kept on globalThis: Next bundles each route
 * separately, so a module-level value would differ between the page that signs a form and the
 * route handler that checks it.
 */
function processSecret(): Buffer {
  const g = globalThis as { __heraFormSecret?: Buffer };
  g.__heraFormSecret ??= randomBytes(32);
  return g.__heraFormSecret;
}

let cached: HeraEnv | undefined;

/** The process's configuration, parsed once on first use (never during the build). */
export function heraEnv(): HeraEnv {
  cached ??= parseEnv(process.env);
  return cached;
}
