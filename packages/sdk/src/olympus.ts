import { FetchError, ResponseError } from "@ory/client-fetch";

/** Aggregate figures for the admin dashboard (`GET /admin/olympus/stats`). */
export interface OlympusStats {
  identities: {
    total: number;
    by_state: { active: number; inactive: number };
    new_per_day: { date: string; count: number }[];
  };
  sessions: { active: number };
  verification: { verified: number; total: number };
  courier: { queued: number; sent: number; abandoned: number };
  security: {
    /** The same 30 UTC days as `identities.new_per_day`: completed sign-ins and refused first factors. */
    logins_per_day: { date: string; succeeded: number; failed: number }[];
    /** Locks active now, as `lockouts()` lists them. */
    lockouts: { active: number; by_type: Record<OlympusLockout["type"], number> };
  };
  /** Public clients authenticate with `token_endpoint_auth_method` "none" (PKCE), the others are confidential. */
  oauth2_clients: {
    total: number;
    public: number;
    confidential: number;
    /** Clients allowing each grant type (a client counts once per grant type it allows). */
    by_grant_type: Record<string, number>;
  };
}

/** An active sign-in lock (`GET /admin/olympus/lockouts`). */
export interface OlympusLockout {
  /** `identifier` (a login identifier), `ip` (a client address) or `aal2` (an identity's second factor). */
  type: "identifier" | "ip" | "aal2";
  identifier: string;
  identity_id: string | null;
  attempts: number;
  last_ip_address: string | null;
  window_started_at: string;
  locked_until: string | null;
  updated_at: string;
}

/** A security audit row (`GET /admin/olympus/audit`). */
export interface OlympusAuditEvent {
  id: string;
  /** e.g. login.succeeded, login.failed, lockout.created, lockout.removed, admin.identities.delete. */
  event: string;
  /** An identity id, "admin" or "anonymous". */
  actor: string;
  target: string | null;
  ip_address: string | null;
  user_agent: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface OlympusAuditFilter {
  /** Exact event name, or a prefix ending in `.*` (`login.*`). */
  event?: string;
  actor?: string;
  target?: string;
  /** RFC 3339 timestamps. */
  since?: string;
  until?: string;
  page_size?: number;
  page_token?: string;
}

/** A vault setting; secret values come back as "********" unless decrypted explicitly. */
export interface OlympusSetting {
  key: string;
  value: unknown;
  secret: boolean;
  category: string;
  created_at: string;
  updated_at: string;
}

export interface OlympusSettingInput {
  value: unknown;
  secret?: boolean;
  category?: string;
}

/** How a run-time setting is typed (GET /admin/olympus/runtime-settings). */
export type OlympusRuntimeSettingSchema =
  | { type: "boolean" }
  | { type: "integer"; minimum: number; maximum: number; unit?: "seconds" }
  | { type: "string"; min_length: number; max_length: number; secret?: boolean }
  | { type: "enum"; options: string[] };

/** A setting the core applies while it runs; stored in the vault under its key, validated by the core. */
export interface OlympusRuntimeSetting {
  key: string;
  description: string;
  schema: OlympusRuntimeSettingSchema;
  /** The configuration file's value; a secret's is "********" when set. */
  default: unknown;
  /** The value in effect; a secret's is "********" when set. */
  value: unknown;
  /** True when the vault holds a value that overrides the file. */
  overridden: boolean;
}

/** An identity schema as the core keeps it: from its configuration or added at run time. */
export interface OlympusIdentitySchema {
  id: string;
  /** The schema new identities get when none is named. */
  default: boolean;
  source: "config" | "api";
  /** When it was added through the API; null for the configuration's. */
  created_at: string | null;
  schema: Record<string, unknown>;
}

/** One page of an Olympus list endpoint. */
export interface OlympusPage<T> {
  items: T[];
  /** The `page_token` of the next page; absent on the last page. */
  next?: string;
}

/** The `page_token` of the `rel="next"` link in a `Link` header. */
export function nextPageToken(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = part.match(/<([^>]*)>\s*;(.*)$/);
    if (!m?.[1] || !m[2] || !/rel="?next"?/.test(m[2])) continue;
    try {
      return new URL(m[1], "http://x").searchParams.get("page_token") ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The `page_token` of the `rel="prev"` link in a `Link` header. */
export function prevPageToken(link: string | null | undefined): string | undefined {
  return relToken(link, "prev");
}

function relToken(link: string | null | undefined, rel: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = part.match(/<([^>]*)>\s*;(.*)$/);
    if (!m?.[1] || !m[2] || !new RegExp(`rel="?${rel}"?`).test(m[2])) continue;
    try {
      return new URL(m[1], "http://x").searchParams.get("page_token") ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** What `sendIdentityEmail` answers: where the code went and the flow it belongs to. */
export interface OlympusSentEmail {
  address: string;
  flow_id: string;
  expires_at: string;
}

/** Query of `GET /admin/olympus/identities/search`. */
export interface OlympusIdentitySearch {
  /** Words that must all occur in a trait, an address, an identifier or the external id (or the id). */
  q?: string;
  schema_id?: string;
  state?: "active" | "inactive";
  page_size?: number;
  page_token?: string;
}

/** A page of search results with the total and the tokens of the neighbouring pages. */
export interface OlympusIdentitySearchPage<T> extends OlympusPage<T> {
  total: number;
  prev?: string;
}

/**
 * An error answered by an Olympus-only endpoint. It is the Ory client's `ResponseError` (so
 * `instanceof ResponseError`, `e.response.status` and `await e.response.json()` work as they do for
 * the Ory APIs), with the status and the parsed Ory error body (`{error: {code, status, reason,
 * message}}`) at hand as `status` and `body`.
 */
export class OlympusApiError extends ResponseError {
  /** The Ory error body the endpoint answered, parsed (undefined when it was not JSON). */
  readonly body: unknown;
  constructor(response: Response, body: unknown) {
    super(response, `Response returned an error code (HTTP ${response.status})`);
    this.body = body;
  }
  get status(): number {
    return this.response.status;
  }
}

/**
 * One call to an Olympus-only endpoint, failing as the Ory client fails: `FetchError` when the server
 * cannot be reached, `OlympusApiError` (a `ResponseError`) on a status outside 2xx. Answers the
 * response and its JSON body (undefined for 204 or a body that is not JSON).
 */
export async function olympusRequest(
  fetchApi: typeof fetch,
  url: URL | string,
  init: RequestInit,
): Promise<{ response: Response; body: unknown }> {
  let response: Response;
  try {
    response = await fetchApi(url, init);
  } catch (e) {
    throw new FetchError(
      e instanceof Error ? e : new Error(String(e)),
      "The request failed and the interceptors did not return an alternative response",
    );
  }
  const body =
    response.status === 204
      ? undefined
      : await response
          .clone()
          .json()
          .catch(() => undefined);
  if (response.status < 200 || response.status >= 300) throw new OlympusApiError(response, body);
  return { response, body };
}

/** Calls for the Olympus-only endpoints of a domain's admin API. */
export class OlympusAdminApi {
  constructor(
    private readonly adminUrl: string,
    private readonly fetchApi: typeof fetch = fetch,
  ) {}

  private async get<T>(path: string): Promise<T> {
    return this.send<T>("GET", path);
  }

  private async send<T>(method: string, path: string, payload?: unknown, actor?: string): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (payload !== undefined) headers["content-type"] = "application/json";
    if (actor) headers["x-olympus-actor"] = actor;
    const { body } = await olympusRequest(this.fetchApi, new URL(path, this.adminUrl), {
      method,
      headers,
      ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
    });
    return body as T;
  }

  /** A list endpoint's rows and the `page_token` of its `rel="next"` Link, if there is a next page. */
  private async getPage<T>(path: string): Promise<OlympusPage<T>> {
    const { response: res, body } = await olympusRequest(this.fetchApi, new URL(path, this.adminUrl), {
      method: "GET",
      headers: { accept: "application/json" },
    });
    const next = nextPageToken(res.headers.get("link"));
    return { items: (body ?? []) as T[], ...(next ? { next } : {}) };
  }

  private static query(params: Record<string, string | number | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : "";
  }

  /**
   * Identities matching every word of `q` in any trait, address, identifier or external id (found
   * even without a password), filtered by schema and state; with the total and prev/next tokens.
   */
  async searchIdentities<T = Record<string, unknown>>(
    query: OlympusIdentitySearch = {},
  ): Promise<OlympusIdentitySearchPage<T>> {
    const path = `/admin/olympus/identities/search${OlympusAdminApi.query({ ...query })}`;
    const { response: res, body } = await olympusRequest(this.fetchApi, new URL(path, this.adminUrl), {
      method: "GET",
      headers: { accept: "application/json" },
    });
    const link = res.headers.get("link");
    const next = nextPageToken(link);
    const prev = prevPageToken(link);
    return {
      items: (body ?? []) as T[],
      total: Number(res.headers.get("x-total-count") ?? 0),
      ...(next ? { next } : {}),
      ...(prev ? { prev } : {}),
    };
  }

  /**
   * Has the core mail the identity a recovery or verification code, to one of its own addresses
   * (the one named, else the first; for verification the first unverified). `actor` names the
   * administrator in the audit log.
   */
  sendIdentityEmail(
    identityId: string,
    kind: "recovery" | "verification",
    opts: { address?: string; actor?: string } = {},
  ): Promise<OlympusSentEmail> {
    return this.send(
      "POST",
      `/admin/olympus/identities/${encodeURIComponent(identityId)}/${kind}-email`,
      opts.address ? { address: opts.address } : {},
      opts.actor,
    );
  }

  /** Dashboard aggregates: identities, sessions, verification, courier, sign-ins, lockouts, OAuth2 clients. */
  stats(): Promise<OlympusStats> {
    return this.get<OlympusStats>("/admin/olympus/stats");
  }

  /** Active sign-in locks (identifiers, client addresses, second factors). */
  lockouts(page: { page_size?: number; page_token?: string } = {}): Promise<OlympusLockout[]> {
    return this.get(`/admin/olympus/lockouts${OlympusAdminApi.query(page)}`);
  }

  /** Unlocks an identifier (or an address with type "ip"); `actor` names the administrator in the audit log. */
  unlock(identifier: string, opts: { type?: OlympusLockout["type"]; actor?: string } = {}): Promise<void> {
    const q = OlympusAdminApi.query({ type: opts.type });
    return this.send(
      "DELETE",
      `/admin/olympus/lockouts/${encodeURIComponent(identifier)}${q}`,
      undefined,
      opts.actor,
    );
  }

  /** The security audit log, newest first. */
  audit(filter: OlympusAuditFilter = {}): Promise<OlympusAuditEvent[]> {
    return this.get(`/admin/olympus/audit${OlympusAdminApi.query({ ...filter })}`);
  }

  /** One page of the audit log, newest first, with the token of the next page. */
  auditPage(filter: OlympusAuditFilter = {}): Promise<OlympusPage<OlympusAuditEvent>> {
    return this.getPage(`/admin/olympus/audit${OlympusAdminApi.query({ ...filter })}`);
  }

  /** One page of the active locks, with the token of the next page. */
  lockoutsPage(page: { page_size?: number; page_token?: string } = {}): Promise<OlympusPage<OlympusLockout>> {
    return this.getPage(`/admin/olympus/lockouts${OlympusAdminApi.query(page)}`);
  }

  /** The run-time settings with their type, range, default, value in effect and explanation. */
  runtimeSettings(): Promise<OlympusRuntimeSetting[]> {
    return this.get("/admin/olympus/runtime-settings");
  }

  /** Every identity schema, with the default and where each comes from. */
  identitySchemas(): Promise<OlympusIdentitySchema[]> {
    return this.get("/admin/olympus/identity-schemas");
  }

  /**
   * Adds an identity schema under a new id (a new version of a schema is a new id; schemas never
   * change). The core checks it first: 400 with the problems' JSON pointers, 409 for a taken id.
   */
  addIdentitySchema(
    id: string,
    schema: Record<string, unknown>,
    actor?: string,
  ): Promise<OlympusIdentitySchema> {
    return this.send("POST", "/admin/olympus/identity-schemas", { id, schema }, actor);
  }

  /** Makes `id` the schema new identities get; identities keep theirs. */
  setDefaultIdentitySchema(id: string, actor?: string): Promise<OlympusIdentitySchema> {
    return this.send("PUT", "/admin/olympus/identity-schemas/default", { id }, actor);
  }

  /** Vault settings (secrets masked), optionally of one category. */
  settings(category?: string): Promise<OlympusSetting[]> {
    return this.get(`/admin/olympus/settings${OlympusAdminApi.query({ category })}`);
  }

  /** One setting; `decrypt` returns a secret value in clear (audited). */
  setting(key: string, opts: { decrypt?: boolean } = {}): Promise<OlympusSetting> {
    const q = OlympusAdminApi.query({ decrypt: opts.decrypt ? "true" : undefined });
    return this.get(`/admin/olympus/settings/${encodeURIComponent(key)}${q}`);
  }

  putSetting(key: string, input: OlympusSettingInput, actor?: string): Promise<OlympusSetting> {
    return this.send("PUT", `/admin/olympus/settings/${encodeURIComponent(key)}`, input, actor);
  }

  /** Writes several settings in one transaction: all or none. */
  putSettings(
    settings: (OlympusSettingInput & { key: string })[],
    actor?: string,
  ): Promise<OlympusSetting[]> {
    return this.send("PUT", "/admin/olympus/settings", { settings }, actor);
  }

  deleteSetting(key: string, actor?: string): Promise<void> {
    return this.send("DELETE", `/admin/olympus/settings/${encodeURIComponent(key)}`, undefined, actor);
  }

  /** The domain's password rules: the core is their authority (Hera shows them, Athena applies them). */
  passwordPolicy(): Promise<OlympusPasswordPolicy> {
    return this.get("/admin/olympus/password-policy");
  }

  /** Checks a password against the domain's policy; `identifiers` (e-mail…) count as known words. */
  checkPassword(password: string, identifiers: string[] = []): Promise<OlympusPasswordCheck> {
    return this.send("POST", "/admin/olympus/password-policy/check", { password, identifiers });
  }

  /**
   * Which self-service flows the domain offers (`selfservice.flows.*.enabled`, and whether people may
   * delete their own accounts): the core is the authority, so a UI shows only what it will do.
   */
  selfService(): Promise<OlympusSelfService> {
    return this.get("/admin/olympus/self-service");
  }

  /** The domain's social sign-in providers (selfservice.methods.oidc), without their secrets. */
  oidcProviders(): Promise<OlympusOidcProviders> {
    return this.get("/admin/olympus/oidc/providers");
  }
}

/** `GET /admin/olympus/oidc/providers`. */
/** The self-service flows a domain offers (GET /admin/olympus/self-service). */
export interface OlympusSelfService {
  registration: { enabled: boolean };
  verification: { enabled: boolean };
  recovery: { enabled: boolean };
  /** `delete_account`: whether a person may delete their own account in settings. */
  settings: { delete_account: { enabled: boolean } };
}

export interface OlympusOidcProviders {
  /** selfservice.methods.oidc.enabled */
  enabled: boolean;
  providers: OlympusOidcProvider[];
}

/** One configured social sign-in provider; its client secret never leaves the core. */
export interface OlympusOidcProvider {
  id: string;
  /** generic, google, github, apple… */
  provider: string;
  /** What the button says after "Sign in with". */
  label: string;
  /** The issuer whose discovery document the core reads; null for plain OAuth2 providers. */
  issuer_url: string | null;
  scope: string[];
  client_id: string;
  /** Whether a client secret (or an Apple signing key) is configured. */
  client_secret_set: boolean;
  /** The callback the provider's client registration must allow. */
  redirect_uri: string;
  /** trait path ← claim path; `verified`: addresses counted as verified when the claim is true. */
  mapping: { traits: Record<string, string>; verified: Record<string, string> } | null;
}

/** `GET /admin/olympus/password-policy`. */
export interface OlympusPasswordPolicy {
  min_length: number;
  max_length: number;
  /** Least zxcvbn score (0–4) of a new password; 0 = no strength check. */
  min_score: number;
  /** Only this many leading characters are scored. */
  scored_length: number;
  identifier_similarity_check: boolean;
  breached_check: boolean;
}

/** `POST /admin/olympus/password-policy/check`: Kratos UI messages (4000005, 4000032…) when invalid. */
export interface OlympusPasswordCheck {
  valid: boolean;
  messages: { id: number; text: string; type: string; context?: Record<string, unknown> }[];
}

/** What an Olympus secret rotation answers: the client with its new secret, shown this once. */
export interface RotatedClientSecret {
  client_id: string;
  client_secret: string;
  /** When the previous secret stops working (RFC 3339), if the rotation kept it for an overlap. */
  rotated_secret_expires_at?: string;
  [key: string]: unknown;
}

/** Calls for the Olympus-only endpoints of a domain's OAuth2 (Hydra) admin API. */
export class OlympusOAuth2AdminApi {
  constructor(
    private readonly oauth2AdminUrl: string,
    private readonly fetchApi: typeof fetch = fetch,
  ) {}

  /**
   * Replaces a confidential client's secret; the answer carries the new secret once (it is stored
   * hashed). `overlapSeconds` (0 to 30 days) keeps the previous secret working that long.
   */
  async rotateClientSecret(
    clientId: string,
    options: { overlapSeconds?: number } = {},
  ): Promise<RotatedClientSecret> {
    const url = new URL(`/admin/clients/${encodeURIComponent(clientId)}/secrets/rotate`, this.oauth2AdminUrl);
    const { body } = await olympusRequest(this.fetchApi, url, {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: JSON.stringify(
        options.overlapSeconds !== undefined ? { overlap_seconds: options.overlapSeconds } : {},
      ),
    });
    return body as RotatedClientSecret;
  }
}
