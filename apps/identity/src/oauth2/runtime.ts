import type { AppContext } from "../app/context.ts";
import { urlJoin } from "../app/runtime.ts";
import type { Config } from "../config/index.ts";
import { uiUrl } from "../selfservice/flow/common.ts";
import { deriveKeys, ephemeralSecret, type OAuth2Keys } from "./crypto.ts";
import { KeyStore } from "./keys/store.ts";
import type { FetchPolicy } from "./remote/fetch.ts";
import { RemoteKeySets } from "./remote/key-sets.ts";

export type OAuth2Config = Config["oauth2"];

/** The OAuth2 provider of one core: configuration, derived keys and URLs, built once at start. */
export interface OAuth2 {
  ctx: AppContext;
  cfg: OAuth2Config;
  keys: OAuth2Keys;
  /** Public (x102) and admin (x103) base URLs, ending with a slash (the bound ports unless configured). */
  publicBaseUrl: string;
  adminBaseUrl: string;
  /** The `iss` of every token and of discovery. */
  issuer: string;
  cookies: { session: string; csrf: string };
  /** The JSON Web Keys (signing keys of ID tokens and JWT access tokens, admin key sets). */
  jwks: KeyStore;
  urls: {
    login: string;
    consent: string;
    logout: string;
    error?: string;
    postLogout: string;
    /** The device flow's user-code page and where it ends (RFC 8628). */
    deviceVerification: string;
    deviceSuccess: string;
  };
  /** How documents named by clients (jwks_uri, sector_identifier_uri, request_uri) are fetched. */
  fetchPolicy: FetchPolicy;
  /** Clients' jwks_uri documents, cached. */
  remoteKeys: RemoteKeySets;
  /** Back-channel logout deliveries still in flight (logout/channels.ts; tests wait for them). */
  backchannelInFlight: Set<Promise<void>>;
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/** Builds the provider state for a core; warns loudly when no cipher secret is configured. */
export function createOAuth2Runtime(ctx: AppContext): OAuth2 {
  const cfg = ctx.config.oauth2;
  let secrets = ctx.config.secrets.cipher;
  if (secrets.length === 0) {
    ctx.log.warn(
      "NO secrets.cipher CONFIGURED: the OAuth2 provider uses a random key for this process only. Signing keys, client secrets, codes and tokens will not survive a restart. Set secrets.cipher (32 characters) in production.",
    );
    secrets = [ephemeralSecret()];
  }
  const login = cfg.urls.login ?? uiUrl(ctx, "login");
  const o2 = {
    ctx,
    cfg,
    keys: deriveKeys(secrets),
    publicBaseUrl: withSlash(cfg.serve.public.base_url ?? `http://localhost:${cfg.serve.public.port}/`),
    adminBaseUrl: withSlash(cfg.serve.admin.base_url ?? `http://localhost:${cfg.serve.admin.port}/`),
    issuer: "",
    cookies: {
      session: `olympus_${ctx.config.domain}_oauth2_session`,
      csrf: `olympus_${ctx.config.domain}_oauth2_csrf`,
    },
    urls: {
      login,
      consent: cfg.urls.consent ?? new URL("/consent", login).toString(),
      logout: cfg.urls.logout ?? new URL("/logout", login).toString(),
      error: cfg.urls.error ?? ctx.config.selfservice.flows.error.ui_url,
      postLogout: cfg.urls.post_logout_redirect ?? ctx.config.selfservice.default_browser_return_url,
      deviceVerification: cfg.urls.device.verification ?? new URL("/device", login).toString(),
      deviceSuccess: cfg.urls.device.success ?? new URL("/device/success", login).toString(),
    },
    backchannelInFlight: new Set<Promise<void>>(),
  } as OAuth2;
  o2.issuer = cfg.urls.self.issuer ?? o2.publicBaseUrl;
  o2.jwks = new KeyStore(o2);
  const http = cfg.clients.http;
  o2.fetchPolicy = {
    disallowPrivate: http.disallow_private_ip_ranges,
    exceptions: http.private_ip_exception_urls,
    timeoutMs: http.timeout,
    maxBytes: http.max_bytes,
  };
  o2.remoteKeys = new RemoteKeySets(o2.fetchPolicy, http.jwks_cache_ttl);
  return o2;
}

export function publicUrl(o2: OAuth2, path: string): string {
  return urlJoin(o2.publicBaseUrl, path);
}

export function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
