"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { clientCredentialsCurl } from "@/lib/curl";
import { callApi } from "../api-client";
import { CopyField } from "../copy-field";

/** The grants the core accepts (no implicit: the core refuses it). */
/** Grants only a client that keeps a secret may use. */
const CONFIDENTIAL_ONLY = new Set(["client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"]);

const GRANTS = [
  { value: "authorization_code", label: "Authorization code" },
  { value: "refresh_token", label: "Refresh token" },
  { value: "client_credentials", label: "Client credentials (machine to machine)" },
  { value: "urn:ietf:params:oauth:grant-type:jwt-bearer", label: "JWT bearer assertion (RFC 7523)" },
  { value: "urn:ietf:params:oauth:grant-type:device_code", label: "Device code" },
  {
    value: "urn:ietf:params:oauth:grant-type:token-exchange",
    label: "Token exchange (RFC 8693)",
  },
];

type AuthMethod = "client_secret_basic" | "client_secret_post" | "client_secret_jwt" | "private_key_jwt";
const AUTH_METHODS: { value: AuthMethod; label: string }[] = [
  { value: "client_secret_basic", label: "client_secret_basic (HTTP Basic)" },
  { value: "client_secret_post", label: "client_secret_post (form body)" },
  { value: "client_secret_jwt", label: "client_secret_jwt (JWT signed with the secret)" },
  { value: "private_key_jwt", label: "private_key_jwt (JWT signed with the client's key)" },
];
const authMethodOf = (v: FormDataEntryValue | null): AuthMethod =>
  AUTH_METHODS.find((m) => m.value === v)?.value ?? "client_secret_basic";

export interface ClientValues {
  client_name: string;
  client_type: "public" | "confidential";
  token_endpoint_auth_method: AuthMethod;
  grant_types: string[];
  scope: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  audience: string[];
  allowed_cors_origins: string[];
  skip_consent: boolean;
  access_token_strategy: "" | "opaque" | "jwt";
  client_uri: string;
  logo_uri: string;
  policy_uri: string;
  tos_uri: string;
  backchannel_logout_uri: string;
  frontchannel_logout_uri: string;
  require_pushed_authorization_requests: boolean;
  /** private_key_jwt: a JWK Set as JSON text, or the URL that serves it. */
  jwks: string;
  jwks_uri: string;
  dpop_bound_access_tokens: boolean;
  /** Request objects (RFC 9101): signed with the client's keys (kept whatever its authentication). */
  request_object_keys: boolean;
  request_object_signing_alg: string;
  request_uris: string[];
  /** Token lifetimes per grant, as Go durations ("" for the server's). */
  lifespans: Record<string, string>;
  /** Who the client may exchange tokens for (token exchange grant); everything empty denies all. */
  token_exchange: {
    allowed_audiences: string[];
    allowed_subject_clients: string[];
    allowed_issuers: string[];
    may_impersonate: boolean;
  };
  /** RFC 9396: the authorization details types the client may request. */
  authorization_details_types: string[];
}

export const EMPTY_CLIENT: ClientValues = {
  client_name: "",
  client_type: "confidential",
  token_endpoint_auth_method: "client_secret_basic",
  grant_types: ["authorization_code", "refresh_token"],
  scope: "openid offline_access email profile",
  redirect_uris: [],
  post_logout_redirect_uris: [],
  audience: [],
  allowed_cors_origins: [],
  skip_consent: false,
  access_token_strategy: "",
  client_uri: "",
  logo_uri: "",
  policy_uri: "",
  tos_uri: "",
  backchannel_logout_uri: "",
  frontchannel_logout_uri: "",
  require_pushed_authorization_requests: false,
  jwks: "",
  jwks_uri: "",
  dpop_bound_access_tokens: false,
  request_object_keys: false,
  request_object_signing_alg: "",
  request_uris: [],
  lifespans: {},
  token_exchange: {
    allowed_audiences: [],
    allowed_subject_clients: [],
    allowed_issuers: [],
    may_impersonate: false,
  },
  authorization_details_types: [],
};

/** The lifespans the form offers: per grant, the tokens that grant issues. */
const LIFESPAN_ROWS: {
  grant: string;
  label: string;
  tokens: ("access_token" | "id_token" | "refresh_token")[];
}[] = [
  {
    grant: "authorization_code",
    label: "Authorization code",
    tokens: ["access_token", "id_token", "refresh_token"],
  },
  { grant: "refresh_token", label: "Refresh token", tokens: ["access_token", "id_token", "refresh_token"] },
  { grant: "client_credentials", label: "Client credentials", tokens: ["access_token"] },
  { grant: "jwt_bearer", label: "JWT bearer", tokens: ["access_token"] },
  {
    grant: "device_authorization",
    label: "Device code",
    tokens: ["access_token", "id_token", "refresh_token"],
  },
];
const TOKEN_LABELS = { access_token: "access token", id_token: "ID token", refresh_token: "refresh token" };

/** The request object algorithms the core accepts ("" any asymmetric one). */
const REQUEST_ALGS = [
  { value: "", label: "Any asymmetric algorithm (RS, PS, ES, EdDSA)" },
  { value: "none", label: "none — unsigned objects accepted (not recommended)" },
  ...["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"].map((a) => ({
    value: a,
    label: a,
  })),
];

const strategyOf = (v: FormDataEntryValue | null): ClientValues["access_token_strategy"] =>
  v === "jwt" || v === "opaque" ? v : "";

const lines = (v: FormDataEntryValue | null) =>
  String(v ?? "")
    .split(/[\n\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** The message of a field the API refused, tied to its input for screen readers. */
function FieldError({ fields, name }: { fields: Record<string, string>; name: string }) {
  return fields[name] ? (
    <div className="field-error small" id={`${name}-error`} role="alert">
      {fields[name]}
    </div>
  ) : null;
}

/** Registers or edits a client. A new confidential client's secret is shown here, once. */
export function ClientForm({
  mode,
  clientId,
  initial,
  tokenUrl,
}: {
  mode: "create" | "edit";
  clientId?: string;
  initial: ClientValues;
  tokenUrl: string;
}) {
  const router = useRouter();
  const [type, setType] = useState(initial.client_type);
  const [method, setMethod] = useState<AuthMethod>(initial.token_endpoint_auth_method);
  const [requestKeys, setRequestKeys] = useState(initial.request_object_keys);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{
    client_id: string;
    client_secret: string | null;
    values: ClientValues;
  } | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setFields({});
    setSaved(false);
    const d = new FormData(e.currentTarget);
    const text = (k: string) => String(d.get(k) ?? "").trim();
    const values: ClientValues = {
      client_name: String(d.get("client_name") ?? ""),
      client_type: type,
      token_endpoint_auth_method: authMethodOf(d.get("token_endpoint_auth_method")),
      grant_types: d.getAll("grant_types").map(String),
      scope: String(d.get("scope") ?? "").trim(),
      redirect_uris: lines(d.get("redirect_uris")),
      post_logout_redirect_uris: lines(d.get("post_logout_redirect_uris")),
      audience: lines(d.get("audience")),
      allowed_cors_origins: lines(d.get("allowed_cors_origins")),
      skip_consent: d.get("skip_consent") === "on",
      access_token_strategy: strategyOf(d.get("access_token_strategy")),
      client_uri: text("client_uri"),
      logo_uri: text("logo_uri"),
      policy_uri: text("policy_uri"),
      tos_uri: text("tos_uri"),
      backchannel_logout_uri: text("backchannel_logout_uri"),
      frontchannel_logout_uri: text("frontchannel_logout_uri"),
      require_pushed_authorization_requests: d.get("require_pushed_authorization_requests") === "on",
      jwks: text("jwks"),
      jwks_uri: text("jwks_uri"),
      dpop_bound_access_tokens: d.get("dpop_bound_access_tokens") === "on",
      request_object_keys: requestKeys,
      request_object_signing_alg: String(d.get("request_object_signing_alg") ?? ""),
      request_uris: lines(d.get("request_uris")),
      lifespans: {},
      token_exchange: {
        allowed_audiences: lines(d.get("te_allowed_audiences")),
        allowed_subject_clients: lines(d.get("te_allowed_subject_clients")),
        allowed_issuers: lines(d.get("te_allowed_issuers")),
        may_impersonate: d.get("te_may_impersonate") === "on",
      },
      authorization_details_types: lines(d.get("authorization_details_types")),
    };
    for (const row of LIFESPAN_ROWS) {
      for (const t of row.tokens) {
        const f = `${row.grant}_grant_${t}_lifespan`;
        values.lifespans[f] = text(f);
      }
    }
    setBusy(true);
    const { lifespans, ...rest } = values;
    const body = { ...rest, ...lifespans };
    const r =
      mode === "create"
        ? await callApi<{ client_id: string; client_secret: string | null }>("POST", "/api/clients", body)
        : await callApi("PUT", `/api/clients/${encodeURIComponent(clientId!)}`, body);
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      setFields(r.fields ?? {});
      return;
    }
    if (mode === "create") {
      const c = r.data as { client_id: string; client_secret: string | null };
      setCreated({ ...c, values });
    } else {
      setSaved(true);
      router.refresh();
    }
  };

  if (created) {
    return (
      <div className="card stack">
        <div className="notice ok" role="status">
          Client <strong>{created.values.client_name}</strong> registered.
        </div>
        <CopyField label="Client ID" value={created.client_id} testId="new-client-id" />
        {created.client_secret ? (
          <div className="secret-once">
            <strong>Copy the client secret now: it is shown this once and cannot be read again.</strong>
            <CopyField label="Client secret" value={created.client_secret} testId="client-secret" />
            {created.values.grant_types.includes("client_credentials") &&
              (created.values.token_endpoint_auth_method === "client_secret_basic" ||
                created.values.token_endpoint_auth_method === "client_secret_post") && (
                <CopyField
                  label="Try it: client_credentials token request"
                  multiline
                  value={clientCredentialsCurl({
                    tokenUrl,
                    clientId: created.client_id,
                    secret: created.client_secret,
                    method: created.values.token_endpoint_auth_method,
                    scope: created.values.scope,
                  })}
                />
              )}
          </div>
        ) : (
          <p className="small muted">A public client has no secret: it proves itself with PKCE.</p>
        )}
        <div className="row">
          <Link className="btn primary" href={`/clients/${encodeURIComponent(created.client_id)}`}>
            Open the client
          </Link>
          <Link className="btn" href="/clients">
            All clients
          </Link>
        </div>
      </div>
    );
  }

  const err = (name: string) => fields[name];
  const invalid = (name: string) =>
    err(name) ? { "aria-invalid": true as const, "aria-describedby": `${name}-error` } : {};
  const urlField = (name: keyof ClientValues, label: string, hint?: string) => (
    <div className="field">
      <label htmlFor={name}>
        {label} {hint && <span className="hint">({hint})</span>}
      </label>
      <input
        id={name}
        name={name}
        type="url"
        defaultValue={String(initial[name] ?? "")}
        placeholder="https://"
        {...invalid(name)}
      />
      <FieldError fields={fields} name={name} />
    </div>
  );

  return (
    <form className="form card" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor="client_name">Name</label>
        <input
          id="client_name"
          name="client_name"
          required
          maxLength={200}
          defaultValue={initial.client_name}
          {...invalid("client_name")}
        />
        <FieldError fields={fields} name="client_name" />
      </div>
      <fieldset>
        <legend>Type</legend>
        <label className="check-label">
          <input
            type="radio"
            name="client_type"
            value="confidential"
            checked={type === "confidential"}
            onChange={() => setType("confidential")}
          />{" "}
          Confidential — a server that keeps a secret or a private key
        </label>
        <label className="check-label">
          <input
            type="radio"
            name="client_type"
            value="public"
            checked={type === "public"}
            onChange={() => setType("public")}
          />{" "}
          Public — a browser or mobile app (no secret, PKCE)
        </label>
        {type === "confidential" && (
          <div className="field">
            <label htmlFor="token_endpoint_auth_method">Token endpoint authentication</label>
            <select
              id="token_endpoint_auth_method"
              name="token_endpoint_auth_method"
              value={method}
              onChange={(e) => setMethod(authMethodOf(e.target.value))}
              {...invalid("token_endpoint_auth_method")}
            >
              {AUTH_METHODS.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
            <FieldError fields={fields} name="token_endpoint_auth_method" />
          </div>
        )}
        {((type === "confidential" && method === "private_key_jwt") || requestKeys) && (
          <>
            <div className="field">
              <label htmlFor="jwks_uri">
                JWKS URL <span className="hint">(where the client publishes its public keys)</span>
              </label>
              <input
                id="jwks_uri"
                name="jwks_uri"
                type="url"
                defaultValue={initial.jwks_uri}
                placeholder="https://"
                {...invalid("jwks_uri")}
              />
              <FieldError fields={fields} name="jwks_uri" />
            </div>
            <div className="field">
              <label htmlFor="jwks">
                Or the public keys <span className="hint">(a JSON Web Key Set: {'{"keys": [...]}'})</span>
              </label>
              <textarea
                id="jwks"
                name="jwks"
                rows={4}
                className="mono"
                defaultValue={initial.jwks}
                {...invalid("jwks")}
              />
              <FieldError fields={fields} name="jwks" />
            </div>
          </>
        )}
      </fieldset>
      <fieldset {...invalid("grant_types")}>
        <legend>Grant types</legend>
        {GRANTS.map((g) => (
          <label key={g.value} className="check-label">
            <input
              type="checkbox"
              name="grant_types"
              value={g.value}
              defaultChecked={initial.grant_types.includes(g.value)}
              disabled={type === "public" && CONFIDENTIAL_ONLY.has(g.value)}
            />{" "}
            {g.label}
          </label>
        ))}
        <FieldError fields={fields} name="grant_types" />
      </fieldset>
      <div className="field">
        <label htmlFor="scope">
          Scope <span className="hint">(space-separated)</span>
        </label>
        <input id="scope" name="scope" defaultValue={initial.scope} {...invalid("scope")} />
        <FieldError fields={fields} name="scope" />
      </div>
      <div className="field">
        <label htmlFor="redirect_uris">
          Redirect URIs <span className="hint">(one per line; needed for authorization code)</span>
        </label>
        <textarea
          id="redirect_uris"
          name="redirect_uris"
          defaultValue={initial.redirect_uris.join("\n")}
          {...invalid("redirect_uris")}
        />
        <FieldError fields={fields} name="redirect_uris" />
      </div>
      <div className="field">
        <label htmlFor="post_logout_redirect_uris">
          Post-logout redirect URIs <span className="hint">(one per line)</span>
        </label>
        <textarea
          id="post_logout_redirect_uris"
          name="post_logout_redirect_uris"
          defaultValue={initial.post_logout_redirect_uris.join("\n")}
          {...invalid("post_logout_redirect_uris")}
        />
        <FieldError fields={fields} name="post_logout_redirect_uris" />
      </div>
      <div className="field">
        <label htmlFor="audience">
          Audience <span className="hint">(one per line: the APIs its tokens may be used at)</span>
        </label>
        <textarea
          id="audience"
          name="audience"
          defaultValue={initial.audience.join("\n")}
          rows={2}
          {...invalid("audience")}
        />
        <FieldError fields={fields} name="audience" />
      </div>
      <div className="field">
        <label htmlFor="authorization_details_types">
          Authorization details types{" "}
          <span className="hint">
            (one per line: the <code>authorization_details</code> types it may request, RFC 9396)
          </span>
        </label>
        <textarea
          id="authorization_details_types"
          name="authorization_details_types"
          defaultValue={initial.authorization_details_types.join("\n")}
          rows={2}
          {...invalid("authorization_details_types")}
        />
        <FieldError fields={fields} name="authorization_details_types" />
      </div>
      <div className="field">
        <label htmlFor="allowed_cors_origins">
          Allowed CORS origins{" "}
          <span className="hint">
            (one per line, e.g. https://app.example.com: browsers calling the token endpoint)
          </span>
        </label>
        <textarea
          id="allowed_cors_origins"
          name="allowed_cors_origins"
          defaultValue={initial.allowed_cors_origins.join("\n")}
          rows={2}
          {...invalid("allowed_cors_origins")}
        />
        <FieldError fields={fields} name="allowed_cors_origins" />
      </div>
      <label className="check-label" htmlFor="skip_consent">
        <input id="skip_consent" name="skip_consent" type="checkbox" defaultChecked={initial.skip_consent} />{" "}
        First-party: skip the consent screen
      </label>
      <div className="field">
        <label htmlFor="access_token_strategy">Access token format</label>
        <select
          id="access_token_strategy"
          name="access_token_strategy"
          defaultValue={initial.access_token_strategy}
        >
          <option value="">Server default</option>
          <option value="opaque">Opaque (introspect to read)</option>
          <option value="jwt">JWT (verifiable with the JWKS)</option>
        </select>
      </div>
      <fieldset>
        <legend>Shown on the consent screen</legend>
        {urlField("client_uri", "Home page")}
        {urlField("logo_uri", "Logo URL", "an image")}
        {urlField("policy_uri", "Privacy policy URL")}
        {urlField("tos_uri", "Terms of service URL")}
      </fieldset>
      {urlField(
        "backchannel_logout_uri",
        "Back-channel logout URI",
        "receives a logout token when the user signs out",
      )}
      {urlField(
        "frontchannel_logout_uri",
        "Front-channel logout URI",
        "loaded in a hidden frame at sign-out",
      )}
      {type === "confidential" && (
        <fieldset>
          <legend>Token exchange policy</legend>
          <p className="small muted">
            Used with the token exchange grant. Nothing is allowed until listed here: the audiences the client
            may get tokens for, the other clients whose users' tokens it may exchange (its own always may be),
            and the trusted issuers whose JWTs it accepts.
          </p>
          <div className="field">
            <label htmlFor="te_allowed_audiences">
              Allowed audiences <span className="hint">(one per line)</span>
            </label>
            <textarea
              id="te_allowed_audiences"
              name="te_allowed_audiences"
              rows={2}
              defaultValue={initial.token_exchange.allowed_audiences.join("\n")}
            />
          </div>
          <div className="field">
            <label htmlFor="te_allowed_subject_clients">
              Clients whose tokens it may exchange <span className="hint">(client IDs, one per line)</span>
            </label>
            <textarea
              id="te_allowed_subject_clients"
              name="te_allowed_subject_clients"
              rows={2}
              defaultValue={initial.token_exchange.allowed_subject_clients.join("\n")}
            />
          </div>
          <div className="field">
            <label htmlFor="te_allowed_issuers">
              Trusted JWT issuers it may accept{" "}
              <span className="hint">(issuers of the jwt-bearer trust list, one per line)</span>
            </label>
            <textarea
              id="te_allowed_issuers"
              name="te_allowed_issuers"
              rows={2}
              defaultValue={initial.token_exchange.allowed_issuers.join("\n")}
            />
          </div>
          <label className="check-label" htmlFor="te_may_impersonate">
            <input
              id="te_may_impersonate"
              name="te_may_impersonate"
              type="checkbox"
              defaultChecked={initial.token_exchange.may_impersonate}
            />{" "}
            May impersonate: exchange without presenting its own token as the actor (the new token then does
            not show the client acting)
          </label>
        </fieldset>
      )}
      <fieldset>
        <legend>Request objects (JAR, RFC 9101)</legend>
        <p className="small muted">
          The client may send its authorization request as a JWT it signed, by value (<code>request</code>) or
          from one of its request URIs (<code>request_uri</code>); only the object&apos;s parameters count.
        </p>
        <label className="check-label" htmlFor="request_object_keys">
          <input
            id="request_object_keys"
            name="request_object_keys"
            type="checkbox"
            checked={requestKeys}
            onChange={(e) => setRequestKeys(e.target.checked)}
          />{" "}
          Signs request objects with its own keys{" "}
          <span className="hint">(give its JWKS URL or public keys; private_key_jwt clients use those)</span>
        </label>
        <div className="field">
          <label htmlFor="request_object_signing_alg">Request object signing algorithm</label>
          <select
            id="request_object_signing_alg"
            name="request_object_signing_alg"
            defaultValue={initial.request_object_signing_alg}
            {...invalid("request_object_signing_alg")}
          >
            {REQUEST_ALGS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
          <FieldError fields={fields} name="request_object_signing_alg" />
        </div>
        <div className="field">
          <label htmlFor="request_uris">
            Request URIs{" "}
            <span className="hint">(where its request objects may be fetched from, one per line)</span>
          </label>
          <textarea
            id="request_uris"
            name="request_uris"
            rows={2}
            defaultValue={initial.request_uris.join("\n")}
            {...invalid("request_uris")}
          />
          <FieldError fields={fields} name="request_uris" />
        </div>
      </fieldset>
      <label className="check-label" htmlFor="require_pushed_authorization_requests">
        <input
          id="require_pushed_authorization_requests"
          name="require_pushed_authorization_requests"
          type="checkbox"
          defaultChecked={initial.require_pushed_authorization_requests}
        />{" "}
        Require pushed authorization requests (PAR)
      </label>
      <label className="check-label" htmlFor="dpop_bound_access_tokens">
        <input
          id="dpop_bound_access_tokens"
          name="dpop_bound_access_tokens"
          type="checkbox"
          defaultChecked={initial.dpop_bound_access_tokens}
        />{" "}
        Require DPoP-bound tokens <span className="hint">(every token request must carry a DPoP proof)</span>
      </label>
      <details open={LIFESPAN_ROWS.some((r) => r.tokens.some((t) => err(`${r.grant}_grant_${t}_lifespan`)))}>
        <summary>Token lifetimes</summary>
        <p className="small muted">
          Per grant, as durations such as 30m, 1h30m or 720h; empty follows the server&apos;s lifetimes.
        </p>
        {LIFESPAN_ROWS.map((row) => (
          <fieldset key={row.grant}>
            <legend>{row.label}</legend>
            {row.tokens.map((t) => {
              const f = `${row.grant}_grant_${t}_lifespan`;
              return (
                <div className="field" key={f}>
                  <label htmlFor={f}>
                    {row.grant}: {TOKEN_LABELS[t]} lifetime
                  </label>
                  <input
                    id={f}
                    name={f}
                    defaultValue={initial.lifespans[f] ?? ""}
                    placeholder="server default"
                    {...invalid(f)}
                  />
                  <FieldError fields={fields} name={f} />
                </div>
              );
            })}
          </fieldset>
        ))}
      </details>
      {error && (
        <div className="notice error" role="alert">
          {error}
        </div>
      )}
      {saved && (
        <div className="notice ok" role="status">
          Saved.
        </div>
      )}
      <div className="row">
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? "Saving…" : mode === "create" ? "Register client" : "Save changes"}
        </button>
      </div>
    </form>
  );
}
