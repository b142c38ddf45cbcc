import { isIP } from "node:net";
import { z } from "zod";
import { duration } from "./duration.ts";
import { hookEntry } from "./hooks.ts";
import { oidcMethod } from "./oidc.ts";

const url = z.url({ protocol: /^https?$/ });

const hook = hookEntry;
/** Per-method hooks after a flow (`after.<method>.hooks`): they replace `after.hooks` for that method. */
const afterMethod = z
  .object({ hooks: z.array(hook).default([]), default_browser_return_url: url.optional() })
  .optional();
const after = z
  .object({
    default_browser_return_url: url.optional(),
    hooks: z.array(hook).default([]),
    password: afterMethod,
    oidc: afterMethod,
    code: afterMethod,
    webauthn: afterMethod,
    passkey: afterMethod,
    totp: afterMethod,
    lookup_secret: afterMethod,
    profile: afterMethod,
  })
  .prefault({} as never);
/** Hooks when a flow is created (Kratos' `before.hooks`); only `web_hook` runs there. */
const before = z.object({ hooks: z.array(hook).default([]) }).prefault({} as never);

const flow = (uiPath: string, lifespan = "1h") =>
  z.object({
    enabled: z.boolean().default(true),
    ui_url: url.optional(),
    lifespan: duration(lifespan),
    before,
    after,
    uiPath: z.string().default(uiPath),
  });
/**
 * A WebAuthn relying party (Kratos' `config.rp`): `id` is the registrable domain credentials are bound
 * to, `origins` the pages allowed to run ceremonies (Kratos' deprecated single `origin` is accepted too).
 * Unset values come from serve.public.base_url: its host name and its origin.
 */
const webauthnRp = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9.-]+$/i, "expected a host name without scheme or port")
      .optional(),
    display_name: z.string().min(1).max(128).default("Olympus"),
    origins: z.array(z.url({ protocol: /^https?$/ })).optional(),
    origin: z.url({ protocol: /^https?$/ }).optional(),
  })
  .prefault({} as never);

const withDefaults = <T extends z.ZodType>(t: T) => t.prefault({} as never);

const serveEndpoint = (port: number) =>
  z.object({
    base_url: url.optional(),
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(port),
  });

/**
 * A courier channel that delivers a message with one HTTP request (Kratos' `type: http`). The body is
 * a JSON object whose string values may hold placeholders — `{{ recipient }}`, `{{ body }}`,
 * `{{ template_type }}`, `{{ message_id }}` — filled in per message (Kratos takes a Jsonnet file here;
 * see docs/ory-compatibility.md). Without a body the request carries
 * `{"recipient", "body", "template_type", "message_id"}`. `Content-Type:
 * application/x-www-form-urlencoded` in `headers` sends the (flat) object as a form instead of JSON.
 */
const courierChannel = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, "expected a short lowercase id such as sms"),
  type: z.literal("http"),
  request_config: z.object({
    url,
    method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.record(z.string(), z.unknown()).optional(),
    auth: z
      .discriminatedUnion("type", [
        z.object({
          type: z.literal("basic_auth"),
          config: z.object({ user: z.string(), password: z.string() }),
        }),
        z.object({
          type: z.literal("api_key"),
          config: z.object({
            name: z.string().min(1),
            value: z.string(),
            in: z.enum(["header", "cookie"]).default("header"),
          }),
        }),
      ])
      .optional(),
    /** Olympus-only: a request that has not answered in this long failed (and is retried). */
    timeout: duration("10s"),
  }),
});

/** The identity core's configuration: one file per domain, keys named as in kratos.yml. */
export const configSchema = z.object({
  /** Olympus-only: the domain this core serves; it names cookies so CIAM and IAM never clobber each other. */
  domain: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/, "expected a short lowercase name such as ciam or iam")
    .default("default"),
  /** A postgres:// URL, a PGlite data directory, or memory:// for an in-memory PGlite. */
  dsn: z.string().min(1).default("memory://"),
  serve: z
    .object({
      public: serveEndpoint(4433).prefault({} as never),
      admin: serveEndpoint(4434).prefault({} as never),
      cors: z
        .object({ enabled: z.boolean().default(false), allowed_origins: z.array(z.string()).default([]) })
        .prefault({} as never),
      request_body_limit: z
        .number()
        .int()
        .positive()
        .default(256 * 1024),
    })
    .prefault({} as never),
  selfservice: z
    .object({
      default_browser_return_url: url.default("http://127.0.0.1:4455/"),
      allowed_return_urls: z.array(z.string()).default([]),
      flows: z
        .object({
          login: withDefaults(
            flow("/login").extend({
              require_verified_address: z.boolean().default(false),
            }),
          ),
          registration: withDefaults(flow("/registration")),
          verification: withDefaults(flow("/verification").extend({ use: z.enum(["code"]).default("code") })),
          recovery: withDefaults(
            flow("/recovery").extend({
              use: z.enum(["code"]).default("code"),
              /** Mail unknown addresses that recovery was attempted (Kratos defaults this to false). */
              notify_unknown_recipients: z.boolean().default(true),
            }),
          ),
          settings: withDefaults(
            flow("/settings").extend({
              privileged_session_max_age: duration("1h"),
              /** highest_available: an identity with a second factor needs an aal2 session to use settings. */
              required_aal: z.enum(["aal1", "highest_available"]).default("highest_available"),
              /**
               * Olympus-only: a person deletes their own account (settings `method=delete_account`,
               * within the privileged window); afterwards the browser goes to `ui_url` (by default
               * /account-deleted beside the settings UI).
               */
              delete_account: z
                .object({ enabled: z.boolean().default(true), ui_url: url.optional() })
                .prefault({} as never),
            }),
          ),
          logout: z.object({ after }).prefault({} as never),
          error: z.object({ ui_url: url.optional() }).prefault({} as never),
        })
        .prefault({} as never),
      methods: z
        .object({
          password: z
            .object({
              enabled: z.boolean().default(true),
              config: z
                .object({
                  min_password_length: z.number().int().min(6).max(1024).default(8),
                  identifier_similarity_check_enabled: z.boolean().default(true),
                  haveibeenpwned_enabled: z.boolean().default(true),
                  haveibeenpwned_host: z.string().default("api.pwnedpasswords.com"),
                  haveibeenpwned_url: url.optional(),
                  max_breaches: z.number().int().nonnegative().default(0),
                  ignore_network_errors: z.boolean().default(true),
                  /** Olympus-only: `block` refuses a breached password; `warn` warns once, then accepts it. */
                  haveibeenpwned_mode: z.enum(["block", "warn"]).default("block"),
                  /**
                   * Olympus-only: the least zxcvbn score (0–4) a new password needs, checked offline
                   * against common-password and English dictionaries. 0 turns the check off.
                   */
                  min_password_score: z.number().int().min(0).max(4).default(3),
                })
                .prefault({} as never),
            })
            .prefault({} as never),
          code: z
            .object({
              enabled: z.boolean().default(true),
              lifespan: duration("1h"),
              /** Sign up and sign in with a one-time code sent to the identifier, no password (Kratos). */
              passwordless_enabled: z.boolean().default(false),
              /** A one-time code to a verified address as the second factor after a password (Kratos). */
              mfa_enabled: z.boolean().default(false),
              config: z
                .object({
                  /**
                   * Olympus-only: how long a flow waits before it sends another code (`resend`); a
                   * resend sooner re-renders the flow with a message and sends nothing.
                   */
                  resend_cooldown: duration("30s"),
                })
                .prefault({} as never),
            })
            .prefault({} as never),
          profile: z.object({ enabled: z.boolean().default(true) }).prefault({} as never),
          totp: z
            .object({
              enabled: z.boolean().default(false),
              config: z
                .object({
                  /** Shown in authenticator apps; defaults to the public URL's host name, as in Kratos. */
                  issuer: z.string().min(1).max(64).optional(),
                })
                .prefault({} as never),
            })
            .prefault({} as never),
          lookup_secret: z.object({ enabled: z.boolean().default(false) }).prefault({} as never),
          /** Social sign-in (src/selfservice/oidc), providers as in kratos.yml. */
          oidc: oidcMethod,
          /** Discoverable credentials (passwordless, aal1), as Kratos' `passkey` method. */
          passkey: z
            .object({
              enabled: z.boolean().default(false),
              config: z.object({ rp: webauthnRp }).prefault({} as never),
            })
            .prefault({} as never),
          /** Security keys and platform authenticators; a second factor unless `passwordless`. */
          webauthn: z
            .object({
              enabled: z.boolean().default(false),
              config: z
                .object({ passwordless: z.boolean().default(false), rp: webauthnRp })
                .prefault({} as never),
            })
            .prefault({} as never),
        })
        .prefault({} as never),
    })
    .prefault({} as never),
  identity: z.object({
    default_schema_id: z.string().min(1).default("default"),
    schemas: z.array(z.object({ id: z.string().min(1), url: z.string().min(1) })).min(1),
  }),
  courier: z
    .object({
      smtp: z
        .object({
          connection_uri: z
            .string()
            .regex(/^smtps?:\/\/[^/?#]/, "expected an smtp:// or smtps:// URL")
            .default("smtp://127.0.0.1:1025/?disable_starttls=true"),
          from_address: z.email().default("no-reply@olympus.local"),
          from_name: z.string().default("Olympus"),
        })
        .prefault({} as never),
      message_retries: z.number().int().min(0).max(100).default(5),
      worker: z
        .object({
          enabled: z.boolean().default(true),
          poll_interval: duration("1s"),
          /** Olympus-only: wait before the first retry of a failed send; doubles per failure. */
          retry_backoff: duration("30s"),
          retry_backoff_max: duration("1h"),
          /**
           * Olympus-only: the lease of a claimed message. Its worker renews it every third of this
           * while sending; a message `processing` without renewal this long was left by a dead sender
           * and is queued again.
           */
          processing_timeout: duration("30s"),
        })
        .prefault({} as never),
      template: z
        .object({ brand: z.string().optional(), accent: z.string().default("#4f46e5") })
        .prefault({} as never),
      /**
       * Kratos' `courier.channels`: where messages other than email go. The channel `sms` carries the
       * `code` method's (and recovery's and verification's) texts to phone numbers, as an HTTP request.
       */
      channels: z.array(courierChannel).default([]),
    })
    .prefault({} as never),
  session: z
    .object({
      lifespan: duration("24h"),
      whoami: z
        .object({
          /** highest_available: whoami refuses an aal1 session of an identity that has a second factor. */
          required_aal: z.enum(["aal1", "highest_available"]).default("highest_available"),
        })
        .prefault({} as never),
      earliest_possible_extend: duration("0s"),
      cookie: z
        .object({
          name: z
            .string()
            .regex(/^[A-Za-z0-9_.-]+$/)
            .optional(),
          persistent: z.boolean().default(true),
          same_site: z.enum(["Lax", "Strict", "None"]).optional(),
        })
        .prefault({} as never),
    })
    .prefault({} as never),
  cookies: z
    .object({
      domain: z.string().optional(),
      path: z.string().default("/"),
      same_site: z.enum(["Lax", "Strict", "None"]).default("Lax"),
      secure: z.boolean().optional(),
    })
    .prefault({} as never),
  secrets: z
    .object({
      cookie: z.array(z.string().min(16, "secrets must be at least 16 characters")).default([]),
      cipher: z.array(z.string().length(32, "cipher secrets must be exactly 32 characters")).default([]),
    })
    .prefault({} as never),
  hashers: z
    .object({
      algorithm: z.enum(["argon2", "bcrypt"]).default("argon2"),
      argon2: z
        .object({
          memory: z.number().int().min(8192).default(19456),
          iterations: z.number().int().min(1).default(2),
          parallelism: z.number().int().min(1).default(1),
          salt_length: z.number().int().min(8).default(16),
          key_length: z.number().int().min(16).default(32),
          /** How many hashes may run at once; each holds `memory` KiB. Defaults to the number of cores. */
          max_concurrency: z.number().int().min(1).optional(),
        })
        .prefault({} as never),
      bcrypt: z.object({ cost: z.number().int().min(4).max(31).default(12) }).prefault({} as never),
    })
    .prefault({} as never),
  /** Olympus-only: brute-force protection, rate limits, breached passwords, audit log (src/security). */
  security: z
    .object({
      brute_force: z
        .object({
          enabled: z.boolean().default(true),
          /** Failed password logins per identifier within `window` before it is locked. */
          max_attempts: z.number().int().min(1).max(1000).default(5),
          window: duration("10m"),
          lockout_duration: duration("15m"),
          /** Failed logins per client address within `window` before the address is locked. */
          ip_max_attempts: z.number().int().min(1).max(100_000).default(50),
        })
        .prefault({} as never),
      rate_limit: z
        .object({
          enabled: z.boolean().default(true),
          /** Per client address and flow submit route; a token bucket in each replica's memory. */
          requests_per_minute: z.number().int().min(1).max(100_000).default(60),
          burst: z.number().int().min(1).max(100_000).optional(),
        })
        .prefault({} as never),
      breached_password: z.object({ mode: z.enum(["block", "warn"]).optional() }).prefault({} as never),
      audit: z
        .object({
          enabled: z.boolean().default(true),
          /** Audit rows older than this are deleted by the janitor. */
          retention: duration("90d"),
        })
        .prefault({} as never),
      /** How often expired counters and old audit rows are deleted. */
      janitor_interval: duration("1h"),
      /**
       * Peers whose X-Forwarded-For is believed (CIDRs): only the proxies in front of the core (Hera,
       * an ingress). The client address is the right-most address in the header that is not itself a
       * trusted proxy; from anyone else the header is ignored. Nothing by default.
       */
      trusted_proxies: z
        .array(
          z.string().refine((v) => {
            const [addr, bits, ...rest] = v.split("/");
            const family = isIP(addr ?? "");
            if (!family || rest.length) return false;
            if (bits === undefined) return true;
            const n = Number(bits);
            return /^\d+$/.test(bits) && n <= (family === 6 ? 128 : 32);
          }, "expected an IP address or CIDR, e.g. 127.0.0.1/32"),
        )
        .default([]),
    })
    .prefault({} as never),
  /** Cloudflare Turnstile, verified by the core on the flows listed (fail-closed). */
  captcha: z
    .object({
      enabled: z.boolean().default(false),
      site_key: z.string().optional(),
      secret_key: z.string().optional(),
      siteverify_url: url.default("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
      flows: z
        .array(z.enum(["login", "registration", "recovery"]))
        .default(["login", "registration", "recovery"]),
      theme: z.enum(["auto", "light", "dark"]).default("auto"),
    })
    .refine((c) => !c.enabled || (c.site_key && c.secret_key), {
      message: "captcha.enabled requires captcha.site_key and captcha.secret_key",
    })
    .prefault({} as never),
  /** The Hydra side (src/oauth2): keys as in hydra.yml, gathered under one `oauth2` key. */
  oauth2: z
    .object({
      serve: z
        .object({
          public: serveEndpoint(4444).prefault({} as never),
          admin: serveEndpoint(4445).prefault({} as never),
          cors: z
            .object({ enabled: z.boolean().default(false), allowed_origins: z.array(z.string()).default([]) })
            .prefault({} as never),
        })
        .prefault({} as never),
      urls: z
        .object({
          self: z.object({ issuer: url.optional() }).prefault({} as never),
          /** Default: selfservice.flows.login.ui_url (Hera's /login). */
          login: url.optional(),
          /** Default: /consent next to the login URL. */
          consent: url.optional(),
          /** Default: /logout next to the login URL. */
          logout: url.optional(),
          /** Default: selfservice.flows.error.ui_url; without one, errors are rendered by the core. */
          error: url.optional(),
          /** Where a logout without post_logout_redirect_uri ends; default: selfservice.default_browser_return_url. */
          post_logout_redirect: url.optional(),
          /** The device flow (RFC 8628), as Hydra's `urls.device`. */
          device: z
            .object({
              /** Where the user enters the user code; default: /device next to the login URL (Hera's page). */
              verification: url.optional(),
              /** Where the browser ends after granting a device; default: /device/success next to the login URL. */
              success: url.optional(),
            })
            .prefault({} as never),
        })
        .prefault({} as never),
      ttl: z
        .object({
          access_token: duration("1h"),
          refresh_token: duration("720h"),
          id_token: duration("1h"),
          auth_code: duration("10m"),
          login_consent_request: duration("30m"),
          authentication_session: duration("720h"),
          /** How long a device flow's device_code and user_code stay valid (Hydra's `ttl.device_user_code`). */
          device_user_code: duration("10m"),
        })
        .prefault({} as never),
      grant: z
        .object({
          refresh_token: z
            .object({
              /**
               * How long a rotated refresh token may still be used once more for a fresh token pair
               * (a client that lost the answer retries). 0 (the default): its reuse revokes the chain.
               * At most 5m, as in Hydra without a reuse count.
               */
              rotation_grace_period: duration("0s").refine((ms) => ms <= 300_000, {
                message: "oauth2.grant.refresh_token.rotation_grace_period may not exceed 5m",
              }),
            })
            .prefault({} as never),
          /** JWT assertions (RFC 7523): the jwt-bearer grant and private_key_jwt / client_secret_jwt, as Hydra's `oauth2.grant.jwt`. */
          jwt: z
            .object({
              /** Accept assertions without `jti` (no replay protection for them). */
              jti_optional: z.boolean().default(false),
              /** Accept assertions without `iat`. */
              iat_optional: z.boolean().default(false),
              /** How far in the future an assertion's `exp` may lie; its `jti` is remembered until then. */
              max_ttl: duration("720h"),
            })
            .prefault({} as never),
        })
        .prefault({} as never),
      /** DPoP (RFC 9449; Hydra has none): sender-constrained tokens. */
      dpop: z
        .object({
          /** How old a proof's `iat` may be (its `jti` is remembered that long); 10s–10m. */
          proof_max_age: duration("5m").refine((ms) => ms >= 10_000 && ms <= 600_000, {
            message: "oauth2.dpop.proof_max_age must be between 10s and 10m",
          }),
          /** How far ahead of the server's clock a proof's `iat` may lie; at most 5m. */
          clock_skew: duration("30s").refine((ms) => ms <= 300_000, {
            message: "oauth2.dpop.clock_skew may not exceed 5m",
          }),
          /** Proofs must carry a server nonce (`use_dpop_nonce` tells the client the current one). */
          require_nonce: z.boolean().default(false),
          /** How long a server nonce is handed out for; it is accepted for twice that. 30s–1h. */
          nonce_lifetime: duration("5m").refine((ms) => ms >= 30_000 && ms <= 3_600_000, {
            message: "oauth2.dpop.nonce_lifetime must be between 30s and 1h",
          }),
        })
        .prefault({} as never),
      /** Pushed authorization requests (RFC 9126; Hydra has none). */
      pushed_authorization_requests: z
        .object({
          /** Every client must push its authorization requests (else only clients with require_pushed_authorization_requests). */
          enforced: z.boolean().default(false),
          /** How long a request_uri from /oauth2/par can be used (once). */
          ttl: duration("90s").refine((ms) => ms >= 10_000 && ms <= 600_000, {
            message: "oauth2.pushed_authorization_requests.ttl must be between 10s and 10m",
          }),
        })
        .prefault({} as never),
      /** RFC 8628, as Hydra's `oauth2.device_authorization`. */
      device_authorization: z
        .object({
          /** The `interval` devices are told to wait between polls; a faster poll gets `slow_down`. */
          token_polling_interval: duration("5s").refine((ms) => ms >= 1000 && ms <= 60_000, {
            message: "oauth2.device_authorization.token_polling_interval must be between 1s and 60s",
          }),
        })
        .prefault({} as never),
      pkce: z
        .object({
          enforced: z.boolean().default(false),
          enforced_for_public_clients: z.boolean().default(true),
        })
        .prefault({} as never),
      strategies: z
        .object({
          access_token: z.enum(["opaque", "jwt"]).default("opaque"),
          scope: z.enum(["wildcard", "exact"]).default("wildcard"),
        })
        .prefault({} as never),
      subject_identifiers: z
        .object({
          supported_types: z
            .array(z.enum(["public", "pairwise"]))
            .min(1)
            .default(["public"]),
          pairwise: z.object({ salt: z.string().min(8).optional() }).prefault({} as never),
        })
        .refine((s) => !s.supported_types.includes("pairwise") || s.pairwise.salt, {
          message: "pairwise subject identifiers need oauth2.subject_identifiers.pairwise.salt",
        })
        .prefault({} as never),
      /** Documents the provider fetches for clients (jwks_uri, sector_identifier_uri, request_uri), as Hydra's `clients.http`. */
      clients: z
        .object({
          http: z
            .object({
              /** Refuse URLs that resolve to loopback, private, link-local or otherwise non-public addresses. */
              disallow_private_ip_ranges: z.boolean().default(false),
              /** URLs fetched even when they resolve to a private address (exact match, without fragment). */
              private_ip_exception_urls: z.array(url).default([]),
              timeout: duration("5s"),
              /** The largest document accepted, in bytes. */
              max_bytes: z
                .number()
                .int()
                .min(1024)
                .max(1024 * 1024)
                .default(64 * 1024),
              /** How long a fetched jwks_uri document is reused. */
              jwks_cache_ttl: duration("5m"),
            })
            .prefault({} as never),
        })
        .prefault({} as never),
      /** Olympus-only: the algorithm of the signing keys generated on first start (ID tokens, JWT access tokens). */
      keys: z.object({ algorithm: z.enum(["ES256", "RS256"]).default("ES256") }).prefault({} as never),
      expose_internal_errors: z.boolean().default(false),
      /** Olympus-only: deletes expired OAuth2 rows, self-service flows and stored errors in batches (src/oauth2/janitor). */
      janitor: z
        .object({
          enabled: z.boolean().default(true),
          interval: duration("1h"),
          batch_size: z.number().int().min(1).max(100_000).default(1000),
          /** Expired self-service flows are kept this long, so a late submit still gets 410 and a new flow. */
          keep_expired_flows_for: duration("24h"),
        })
        .prefault({} as never),
    })
    .prefault({} as never),
  log: z
    .object({ level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info") })
    .prefault({} as never),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
