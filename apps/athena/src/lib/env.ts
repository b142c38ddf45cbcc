import { z } from "zod";

/** The identity domain an Athena instance manages. */
export type Domain = "ciam" | "iam";

const LOCAL = {
  ciam: {
    athena: "http://localhost:3001",
    kratosPublic: 3100,
    kratosAdmin: 3101,
    hydraPublic: 3102,
    hydraAdmin: 3103,
  },
  iam: {
    athena: "http://localhost:4001",
    kratosPublic: 4100,
    kratosAdmin: 4101,
    hydraPublic: 4102,
    hydraAdmin: 4103,
  },
} as const;

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
  const local = LOCAL[domain];
  const publicUrl = parse("ATHENA_PUBLIC_URL", url, local.athena);
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
    kratosAdminUrl: parse("KRATOS_ADMIN_URL", url, `http://127.0.0.1:${local.kratosAdmin}`),
    kratosPublicUrl: parse("KRATOS_PUBLIC_URL", url, `http://127.0.0.1:${local.kratosPublic}`),
    hydraAdminUrl: parse("HYDRA_ADMIN_URL", url, `http://127.0.0.1:${local.hydraAdmin}`),
    hydraPublicUrl: parse("HYDRA_PUBLIC_URL", url, `http://localhost:${local.hydraPublic}`),
    iamKratosAdminUrl: parse("IAM_KRATOS_ADMIN_URL", url, "http://127.0.0.1:4101"),
    auth: {
      issuerUrl: parse("AUTH_ISSUER_URL", url, "http://localhost:4102"),
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
