import { type Domain, localCoreUrls, PORTS } from "@olympus/platform";
import { z } from "zod";

/** The identity domain an Athena instance manages. */
export type { Domain };

const DEV_SECRET = "athena-development-secret-do-not-use-in-production";
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ""));

/** Everything Athena reads from the environment, validated once; a bad value names its variable. */
export interface AthenaEnv {
  domain: Domain;
  production: boolean;
  publicUrl: string;
  kratosAdminUrl: string;
  kratosPublicUrl: string;
  hydraAdminUrl: string;
  /** The domain's OAuth2 issuer as its clients reach it (shown in examples). */
  hydraPublicUrl: string;
  iamKratosAdminUrl: string;
  auth: { issuerUrl: string; clientId: string; redirectUri: string; scope: string };
  sessionSecret: string;
  /** True when no ATHENA_SESSION_SECRET was set (development only). */
  sessionSecretIsDefault: boolean;
  cookieSecure: boolean;
  /**
   * ATHENA_REQUIRE_SECOND_FACTOR: only sessions IAM authenticated with a second factor (ID token
   * `acr` = `aal2`) may use Athena. On in the production overlays, off in the demo seeds.
   */
  requireSecondFactor: boolean;
}

function isLoopback(u: string): boolean {
  const host = new URL(u).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** Parses the environment; throws an Error whose message names the offending variable. */
export function parseEnv(env: Record<string, string | undefined>): AthenaEnv {
  const get = (k: string) => (env[k]?.trim() ? env[k]!.trim() : undefined);
  const fail = (k: string, msg: string): never => {
    throw new Error(`Athena configuration: ${k} ${msg}`);
  };
  const parse = <T>(k: string, schema: z.ZodType<T>, fallback?: string): T => {
    const raw = get(k) ?? fallback;
    const r = schema.safeParse(raw);
    if (!r.success)
      fail(
        k,
        `is invalid (${raw === undefined ? "missing" : JSON.stringify(raw)}): ${r.error.issues[0]?.message}`,
      );
    return (r as { data: T }).data;
  };

  const production = env.NODE_ENV === "production";
  const domain = parse("OLYMPUS_DOMAIN", z.enum(["ciam", "iam"]), "ciam");
  const local = localCoreUrls(domain);
  const publicUrl = parse("ATHENA_PUBLIC_URL", url, `http://localhost:${PORTS[domain].athena}`);
  if (production && !publicUrl.startsWith("https:") && !isLoopback(publicUrl)) {
    fail(
      "ATHENA_PUBLIC_URL",
      "must be an https URL in production (plain http is accepted on localhost only)",
    );
  }

  let sessionSecret = get("ATHENA_SESSION_SECRET");
  const sessionSecretIsDefault = !sessionSecret;
  if (!sessionSecret) {
    if (production)
      fail("ATHENA_SESSION_SECRET", "is required in production (at least 32 bytes of random text)");
    sessionSecret = DEV_SECRET;
  } else if (Buffer.byteLength(sessionSecret, "utf8") < 32) {
    fail("ATHENA_SESSION_SECRET", "must be at least 32 bytes long");
  } else if (production && sessionSecret === DEV_SECRET) {
    fail("ATHENA_SESSION_SECRET", "is the published development default");
  }

  return {
    domain,
    production,
    publicUrl,
    kratosAdminUrl: parse("KRATOS_ADMIN_URL", url, local.kratosAdmin),
    kratosPublicUrl: parse("KRATOS_PUBLIC_URL", url, local.kratosPublic),
    hydraAdminUrl: parse("HYDRA_ADMIN_URL", url, local.hydraAdmin),
    hydraPublicUrl: parse("HYDRA_PUBLIC_URL", url, localCoreUrls(domain, "localhost").hydraPublic),
    iamKratosAdminUrl: parse("IAM_KRATOS_ADMIN_URL", url, localCoreUrls("iam").kratosAdmin),
    auth: {
      issuerUrl: parse("AUTH_ISSUER_URL", url, localCoreUrls("iam", "localhost").hydraPublic),
      clientId: parse("AUTH_CLIENT_ID", z.string().min(1).max(255), `athena-${domain}`),
      redirectUri: parse("AUTH_REDIRECT_URI", url, `${publicUrl}/api/auth/callback`),
      scope: parse(
        "AUTH_SCOPE",
        z.string().regex(/(^| )openid( |$)/, "must include openid"),
        "openid email profile",
      ),
    },
    sessionSecret,
    sessionSecretIsDefault,
    cookieSecure: publicUrl.startsWith("https:"),
    requireSecondFactor: parse(
      "ATHENA_REQUIRE_SECOND_FACTOR",
      z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
      "false",
    ),
  };
}

let cached: AthenaEnv | undefined;
let warned = false;

/** Forgets the parsed configuration, so the next athenaEnv() reads process.env again (tests). */
export function resetAthenaEnv(): void {
  cached = undefined;
}

/** The instance's configuration, read from process.env on first use. */
export function athenaEnv(): AthenaEnv {
  if (!cached) {
    cached = parseEnv(process.env);
    if (cached.sessionSecretIsDefault && !warned) {
      warned = true;
      console.warn(
        "[athena] ATHENA_SESSION_SECRET is not set: using the development default. Set it to 32+ random bytes before exposing this instance.",
      );
    }
  }
  return cached;
}
