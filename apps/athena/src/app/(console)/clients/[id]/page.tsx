import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionButton } from "@/components/action-button";
import { ClientForm, type ClientValues } from "@/components/clients/client-form";
import { RotateSecret } from "@/components/clients/rotate-secret";
import { CopyField } from "@/components/copy-field";
import { ErrorState, formatTime, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import {
  getClient,
  hasClientSecret,
  isPublicClient,
  LIFESPAN_FIELDS,
  TOKEN_EXCHANGE_GRANT,
} from "@/lib/core/oauth2-clients";
import { clientCredentialsCurl } from "@/lib/curl";
import { athenaEnv } from "@/lib/env";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "OAuth2 client" };

export default async function ClientPage({ params }: { params: Promise<{ id: string }> }) {
  const { id: raw } = await params;
  const id = decodeURIComponent(raw);
  const writer = canWrite(await currentSession());
  const found = await attempt(() => getClient(id));
  if (!found.ok) {
    if (found.error.status === 404 && !found.error.missing) notFound();
    return (
      <div className="stack">
        <PageHeader title="OAuth2 client" description={<Link href="/clients">← OAuth2 clients</Link>} />
        <ErrorState error={found.error} what="this client" />
      </div>
    );
  }
  const c = found.value;
  const pub = isPublicClient(c);
  const tokenUrl = `${athenaEnv().hydraPublicUrl}/oauth2/token`;
  const method = c.token_endpoint_auth_method ?? "client_secret_basic";
  const secretCurl = method === "client_secret_basic" || method === "client_secret_post";
  const cc = (c.grant_types ?? []).includes("client_credentials");
  const authMethods = ["client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"];
  const initial: ClientValues = {
    client_name: c.client_name ?? "",
    client_type: pub ? "public" : "confidential",
    token_endpoint_auth_method: (authMethods.includes(method)
      ? method
      : "client_secret_basic") as ClientValues["token_endpoint_auth_method"],
    grant_types: c.grant_types ?? [],
    scope: c.scope ?? "",
    redirect_uris: c.redirect_uris ?? [],
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    audience: c.audience ?? [],
    allowed_cors_origins: c.allowed_cors_origins ?? [],
    skip_consent: !!c.skip_consent,
    access_token_strategy:
      c.access_token_strategy === "jwt" || c.access_token_strategy === "opaque"
        ? c.access_token_strategy
        : "",
    client_uri: c.client_uri ?? "",
    logo_uri: c.logo_uri ?? "",
    policy_uri: c.policy_uri ?? "",
    tos_uri: c.tos_uri ?? "",
    backchannel_logout_uri: c.backchannel_logout_uri ?? "",
    frontchannel_logout_uri: c.frontchannel_logout_uri ?? "",
    require_pushed_authorization_requests: !!c.require_pushed_authorization_requests,
    jwks: c.jwks?.keys?.length ? JSON.stringify(c.jwks, null, 2) : "",
    jwks_uri: c.jwks_uri ?? "",
    dpop_bound_access_tokens: !!c.dpop_bound_access_tokens,
    // Keys on a client that does not authenticate with them are there for its request objects.
    request_object_keys: method !== "private_key_jwt" && !!(c.jwks?.keys?.length || c.jwks_uri),
    request_object_signing_alg: c.request_object_signing_alg ?? "",
    request_uris: c.request_uris ?? [],
    token_exchange: {
      allowed_audiences: c.token_exchange?.allowed_audiences ?? [],
      allowed_subject_clients: c.token_exchange?.allowed_subject_clients ?? [],
      allowed_issuers: c.token_exchange?.allowed_issuers ?? [],
      may_impersonate: !!c.token_exchange?.may_impersonate,
    },
    authorization_details_types: Array.isArray(c.authorization_details_types)
      ? c.authorization_details_types.map(String)
      : [],
    lifespans: Object.fromEntries(
      LIFESPAN_FIELDS.map((f) => [f, String((c as Record<string, unknown>)[f] ?? "")]),
    ),
  };
  return (
    <div className="stack">
      <PageHeader
        title={c.client_name || id}
        description={
          <>
            <Link href="/clients">← OAuth2 clients</Link> · <span className="mono">{id}</span>
          </>
        }
        actions={<span className={`badge ${pub ? "" : "accent"}`}>{pub ? "public" : "confidential"}</span>}
      />
      <div className="grid-2">
        <section className="card" aria-labelledby="cfg-h">
          <h2 id="cfg-h">Configuration</h2>
          <dl className="props small">
            <dt>Client ID</dt>
            <dd className="mono">{id}</dd>
            <dt>Authentication</dt>
            <dd>{method}</dd>
            <dt>Grant types</dt>
            <dd>{(c.grant_types ?? []).join(", ") || "—"}</dd>
            <dt>Response types</dt>
            <dd>{(c.response_types ?? []).join(", ") || "—"}</dd>
            <dt>Scope</dt>
            <dd>{c.scope || "—"}</dd>
            <dt>Redirect URIs</dt>
            <dd>{(c.redirect_uris ?? []).join(", ") || "—"}</dd>
            <dt>Post-logout URIs</dt>
            <dd>{(c.post_logout_redirect_uris ?? []).join(", ") || "—"}</dd>
            <dt>Audience</dt>
            <dd>{(c.audience ?? []).join(", ") || "—"}</dd>
            {(c.grant_types ?? []).includes(TOKEN_EXCHANGE_GRANT) && (
              <>
                <dt>Token exchange</dt>
                <dd>
                  {(c.token_exchange?.allowed_audiences ?? []).join(", ") || "no audience allowed"}
                  {c.token_exchange?.may_impersonate ? " · may impersonate" : ""}
                </dd>
              </>
            )}
            {(c.authorization_details_types ?? []).length > 0 && (
              <>
                <dt>Authorization details</dt>
                <dd>{(c.authorization_details_types ?? []).join(", ")}</dd>
              </>
            )}
            <dt>CORS origins</dt>
            <dd>{(c.allowed_cors_origins ?? []).join(", ") || "—"}</dd>
            {method === "private_key_jwt" && (
              <>
                <dt>Public keys</dt>
                <dd>{c.jwks_uri || `${c.jwks?.keys?.length ?? 0} inline key(s)`}</dd>
              </>
            )}
            {c.rotated_secret_expires_at && (
              <>
                <dt>Previous secret</dt>
                <dd data-testid="previous-secret-ends">
                  works until {formatTime(c.rotated_secret_expires_at)}
                </dd>
              </>
            )}
            <dt>Skip consent</dt>
            <dd>{c.skip_consent ? "yes (first-party)" : "no"}</dd>
            <dt>Created</dt>
            <dd>{formatTime(c.created_at)}</dd>
          </dl>
        </section>
        <section className="card stack" aria-labelledby="use-h">
          <h2 id="use-h">Use it</h2>
          {cc && secretCurl ? (
            <CopyField
              label="client_credentials token request"
              multiline
              value={clientCredentialsCurl({ tokenUrl, clientId: id, method, scope: c.scope ?? "" })}
            />
          ) : (
            <p className="small muted">
              {pub
                ? "A public client signs users in with Authorization Code + PKCE; it has no secret."
                : cc
                  ? "This client proves itself with a signed JWT (client_assertion) at the token endpoint."
                  : "This client does not use client_credentials."}
            </p>
          )}
          {writer && hasClientSecret(c) && (
            <RotateSecret
              clientId={id}
              tokenUrl={tokenUrl}
              method={method}
              scope={c.scope ?? ""}
              clientCredentials={cc && secretCurl}
            />
          )}
          {writer && (
            <div>
              <ActionButton
                label="Delete client"
                title={`Delete ${c.client_name || id}?`}
                description={
                  <p>
                    The client is removed: its tokens stop being accepted and sign-ins through it fail. This
                    cannot be undone.
                  </p>
                }
                confirmLabel="Delete permanently"
                method="DELETE"
                url={`/api/clients/${encodeURIComponent(id)}`}
                danger
                redirectTo="/clients"
              />
            </div>
          )}
        </section>
      </div>
      {writer && (
        <section aria-labelledby="edit-h" className="stack">
          <h2 id="edit-h">Edit</h2>
          <ClientForm mode="edit" clientId={id} initial={initial} tokenUrl={tokenUrl} />
        </section>
      )}
    </div>
  );
}
