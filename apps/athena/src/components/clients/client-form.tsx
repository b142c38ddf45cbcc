"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { clientCredentialsCurl } from "@/lib/curl";
import { callApi } from "../api-client";
import { CopyField } from "../copy-field";

const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
/** Grants only a client that keeps a secret may use. */
const CONFIDENTIAL_ONLY = new Set(["client_credentials", TOKEN_EXCHANGE]);

const GRANTS = [
  { value: "authorization_code", label: "Authorization code" },
  { value: "refresh_token", label: "Refresh token" },
  { value: "client_credentials", label: "Client credentials (machine to machine)" },
  { value: "urn:ietf:params:oauth:grant-type:device_code", label: "Device code" },
  { value: TOKEN_EXCHANGE, label: "Token exchange (RFC 8693: act for users toward other APIs)" },
];

export interface ClientValues {
  client_name: string;
  client_type: "public" | "confidential";
  token_endpoint_auth_method: "client_secret_basic" | "client_secret_post";
  grant_types: string[];
  scope: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  audience: string[];
  skip_consent: boolean;
  access_token_strategy: "" | "opaque" | "jwt";
  backchannel_logout_uri: string;
  frontchannel_logout_uri: string;
  require_pushed_authorization_requests: boolean;
  dpop_bound_access_tokens: boolean;
  /** Who the client may exchange tokens for (token exchange grant); everything empty denies all. */
  token_exchange: {
    allowed_audiences: string[];
    allowed_subject_clients: string[];
    allowed_issuers: string[];
    may_impersonate: boolean;
  };
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
  skip_consent: false,
  access_token_strategy: "",
  backchannel_logout_uri: "",
  frontchannel_logout_uri: "",
  require_pushed_authorization_requests: false,
  dpop_bound_access_tokens: false,
  token_exchange: {
    allowed_audiences: [],
    allowed_subject_clients: [],
    allowed_issuers: [],
    may_impersonate: false,
  },
};

const strategyOf = (v: FormDataEntryValue | null): ClientValues["access_token_strategy"] =>
  v === "jwt" || v === "opaque" ? v : "";

const lines = (v: FormDataEntryValue | null) =>
  String(v ?? "")
    .split(/[\n\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<{
    client_id: string;
    client_secret: string | null;
    values: ClientValues;
  } | null>(null);
  const [saved, setSaved] = useState(false);

  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const d = new FormData(e.currentTarget);
    const values: ClientValues = {
      client_name: String(d.get("client_name") ?? ""),
      client_type: type,
      token_endpoint_auth_method:
        d.get("token_endpoint_auth_method") === "client_secret_post"
          ? "client_secret_post"
          : "client_secret_basic",
      grant_types: d.getAll("grant_types").map(String),
      scope: String(d.get("scope") ?? "").trim(),
      redirect_uris: lines(d.get("redirect_uris")),
      post_logout_redirect_uris: lines(d.get("post_logout_redirect_uris")),
      audience: lines(d.get("audience")),
      skip_consent: d.get("skip_consent") === "on",
      access_token_strategy: strategyOf(d.get("access_token_strategy")),
      backchannel_logout_uri: String(d.get("backchannel_logout_uri") ?? "").trim(),
      frontchannel_logout_uri: String(d.get("frontchannel_logout_uri") ?? "").trim(),
      require_pushed_authorization_requests: d.get("require_pushed_authorization_requests") === "on",
      dpop_bound_access_tokens: d.get("dpop_bound_access_tokens") === "on",
      token_exchange: {
        allowed_audiences: lines(d.get("te_allowed_audiences")),
        allowed_subject_clients: lines(d.get("te_allowed_subject_clients")),
        allowed_issuers: lines(d.get("te_allowed_issuers")),
        may_impersonate: d.get("te_may_impersonate") === "on",
      },
    };
    setBusy(true);
    const r =
      mode === "create"
        ? await callApi<{ client_id: string; client_secret: string | null }>("POST", "/api/clients", values)
        : await callApi("PUT", `/api/clients/${encodeURIComponent(clientId!)}`, values);
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
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
            {created.values.grant_types.includes("client_credentials") && (
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

  return (
    <form className="form card" onSubmit={submit}>
      <div className="field">
        <label htmlFor="client_name">Name</label>
        <input
          id="client_name"
          name="client_name"
          required
          maxLength={200}
          defaultValue={initial.client_name}
        />
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
          Confidential — a server that keeps a secret
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
              defaultValue={initial.token_endpoint_auth_method}
            >
              <option value="client_secret_basic">client_secret_basic (HTTP Basic)</option>
              <option value="client_secret_post">client_secret_post (form body)</option>
            </select>
          </div>
        )}
      </fieldset>
      <fieldset>
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
      </fieldset>
      <div className="field">
        <label htmlFor="scope">
          Scope <span className="hint">(space-separated)</span>
        </label>
        <input id="scope" name="scope" defaultValue={initial.scope} />
      </div>
      <div className="field">
        <label htmlFor="redirect_uris">
          Redirect URIs <span className="hint">(one per line; needed for authorization code)</span>
        </label>
        <textarea id="redirect_uris" name="redirect_uris" defaultValue={initial.redirect_uris.join("\n")} />
      </div>
      <div className="field">
        <label htmlFor="post_logout_redirect_uris">
          Post-logout redirect URIs <span className="hint">(one per line)</span>
        </label>
        <textarea
          id="post_logout_redirect_uris"
          name="post_logout_redirect_uris"
          defaultValue={initial.post_logout_redirect_uris.join("\n")}
        />
      </div>
      <div className="field">
        <label htmlFor="audience">
          Audience <span className="hint">(one per line)</span>
        </label>
        <textarea id="audience" name="audience" defaultValue={initial.audience.join("\n")} rows={2} />
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
      <div className="field">
        <label htmlFor="backchannel_logout_uri">
          Back-channel logout URI{" "}
          <span className="hint">(receives a logout token when the user signs out)</span>
        </label>
        <input
          id="backchannel_logout_uri"
          name="backchannel_logout_uri"
          type="url"
          defaultValue={initial.backchannel_logout_uri}
        />
      </div>
      <div className="field">
        <label htmlFor="frontchannel_logout_uri">
          Front-channel logout URI <span className="hint">(loaded in a hidden frame at sign-out)</span>
        </label>
        <input
          id="frontchannel_logout_uri"
          name="frontchannel_logout_uri"
          type="url"
          defaultValue={initial.frontchannel_logout_uri}
        />
      </div>
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
