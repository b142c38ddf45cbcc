import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ActionButton } from "@/components/action-button";
import { EditIdentityForm } from "@/components/identities/edit-identity-form";
import { EmailSender } from "@/components/identities/email-sender";
import { PasswordReset } from "@/components/identities/password-reset";
import { passwordPolicy } from "@/lib/core/password-policy";
import { RecoveryIssuer } from "@/components/identities/recovery-issuer";
import { RoleEditor } from "@/components/identities/role-editor";
import { WebAuthnKeys } from "@/components/identities/webauthn-keys";
import { SessionsTable } from "@/components/sessions/sessions-table";
import { ErrorState, formatTime, PageHeader, StateBadge } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { principalOf } from "@/lib/auth/principal";
import { core } from "@/lib/core/clients";
import { attempt } from "@/lib/core/errors";
import { displayName, isDemo, primaryIdentifier, UUID_RE } from "@/lib/core/identity-view";
import { linkedProviders, oidcProviders } from "@/lib/core/oidc-providers";
import { listSchemas } from "@/lib/core/schemas";
import { toSessionRow } from "@/lib/core/sessions";
import { athenaEnv } from "@/lib/env";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Identity" };

/** What removing a second factor is called, and what it does. */
const CREDENTIAL_ACTION: Record<string, { label: string; effect: string }> = {
  totp: {
    label: "Reset TOTP",
    effect: "The authenticator app stops working for this account; they can set up a new one in settings.",
  },
  lookup_secret: {
    label: "Delete recovery codes",
    effect: "Their backup (lookup) codes stop working; they can create new ones in settings.",
  },
  code: {
    label: "Delete code sign-in",
    effect: "One-time codes by email no longer sign them in until they are set up again.",
  },
};

const json = (v: unknown) => JSON.stringify(v ?? {}, null, 2);

/** Admin metadata as the edit form shows it: the Athena role keys have their own control. */
function withoutRole(meta: unknown): Record<string, unknown> | null {
  if (!meta || typeof meta !== "object" || Array.isArray(meta)) return null;
  const { role: _role, roles: _roles, ...rest } = meta as Record<string, unknown>;
  return Object.keys(rest).length ? rest : null;
}

export default async function IdentityPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string }>;
}) {
  const { id } = await params;
  const sp = await searchParams;
  if (!UUID_RE.test(id)) notFound();
  const session = await currentSession();
  const writer = canWrite(session);
  const api = core().identity;
  const found = await attempt(() => api.getIdentity({ id, includeCredential: ["passkey", "webauthn"] }));
  if (!found.ok) {
    if (found.error.status === 404 && !found.error.missing) notFound();
    return (
      <div className="stack">
        <PageHeader title="Identity" description={<Link href="/identities">← Identities</Link>} />
        <ErrorState error={found.error} what="this identity" />
      </div>
    );
  }
  const identity = found.value;
  const sessions = await attempt(() => api.listIdentitySessions({ id }));
  const policy = await attempt(passwordPolicy);
  const schemas = writer ? await attempt(listSchemas) : undefined;
  const traitsSchema = schemas?.ok
    ? schemas.value.find((x) => x.id === identity.schema_id)?.traits
    : undefined;
  const demo = isDemo(identity);
  const iam = athenaEnv().domain === "iam";
  const self = iam && session?.sub === identity.id;
  const role = principalOf(identity).role ?? null;
  const identifier = primaryIdentifier(identity);
  const protectedReason = demo ? "Demo identities are protected from this action." : undefined;
  const selfReason = self ? "This is your own administrator account." : undefined;
  const state = identity.state ?? "active";
  const credentials = Object.entries(identity.credentials ?? {});
  // Provider and subject from the oidc credential's identifiers; its tokens are never asked for.
  const linked = linkedProviders(identity.credentials?.oidc?.identifiers);
  const providers = linked.length ? await attempt(oidcProviders) : undefined;
  const providerLabel = (id: string) =>
    (providers?.ok ? providers.value.providers.find((p) => p.id === id)?.label : undefined) ?? id;

  return (
    <div className="stack">
      <PageHeader
        title={identifier}
        description={
          <>
            <Link href="/identities">← Identities</Link> · <span className="mono">{identity.id}</span>
          </>
        }
        actions={
          <>
            <StateBadge state={state} />
            <span className="badge">{identity.schema_id}</span>
            {demo && <span className="badge accent">demo</span>}
          </>
        }
      />
      {sp.created && (
        <div className="notice ok" role="status">
          Identity created.
        </div>
      )}
      {writer && (
        <section className="card stack" aria-labelledby="actions-h">
          <h2 id="actions-h">Actions</h2>
          {demo && (
            <p className="small muted">
              This is a demo identity: deactivation, password reset, recovery, credential removal and deletion
              are disabled.
            </p>
          )}
          <div className="row">
            {state === "active" ? (
              <ActionButton
                label="Deactivate"
                title={`Deactivate ${identifier}?`}
                description={
                  <p>
                    {identifier} will not be able to sign in until activated again. Existing sessions stop
                    working.
                  </p>
                }
                method="PATCH"
                url={`/api/identities/${id}`}
                body={{ state: "inactive" }}
                danger
                disabledReason={protectedReason ?? selfReason}
              />
            ) : (
              <ActionButton
                label="Activate"
                title={`Activate ${identifier}?`}
                description={<p>{identifier} will be able to sign in again.</p>}
                method="PATCH"
                url={`/api/identities/${id}`}
                body={{ state: "active" }}
              />
            )}
            <PasswordReset
              id={id}
              identifier={identifier}
              disabledReason={protectedReason}
              {...(policy.ok ? { passwordMin: policy.value.min_length } : {})}
            />
            <ActionButton
              label="Revoke all sessions"
              title={`Revoke every session of ${identifier}?`}
              description={
                <p>
                  {identifier} will be signed out on every device (
                  {sessions.ok ? sessions.value.filter((s) => s.active).length : "all"} active sessions). The
                  account itself is not changed.
                </p>
              }
              method="DELETE"
              url={`/api/identities/${id}/sessions`}
              danger
              done="All sessions revoked."
            />
            <ActionButton
              label="Delete identity"
              title={`Delete ${identifier}?`}
              description={
                <p>
                  This permanently removes {identifier}: traits, credentials, addresses and sessions. It
                  cannot be undone.
                </p>
              }
              confirmLabel="Delete permanently"
              method="DELETE"
              url={`/api/identities/${id}`}
              danger
              redirectTo="/identities"
              disabledReason={protectedReason ?? selfReason}
            />
          </div>
          {iam && (
            <div>
              <h3>Athena role</h3>
              <RoleEditor
                id={id}
                identifier={identifier}
                current={role}
                disabledReason={protectedReason ?? (self ? "You cannot change your own role." : undefined)}
              />
            </div>
          )}
          <div>
            <h3>Account recovery</h3>
            <RecoveryIssuer id={id} disabledReason={protectedReason} />
          </div>
          <div>
            <h3>Send an email</h3>
            <EmailSender
              id={id}
              recoveryAddresses={(identity.recovery_addresses ?? [])
                .filter((a) => a.via === "email")
                .map((a) => a.value)}
              unverifiedAddresses={(identity.verifiable_addresses ?? [])
                .filter((a) => a.via === "email" && !a.verified)
                .map((a) => a.value)}
              {...(protectedReason ? { recoveryDisabledReason: protectedReason } : {})}
            />
          </div>
        </section>
      )}
      {writer && (
        <details className="card" id="edit">
          <summary>
            <h2 style={{ display: "inline" }}>Edit identity</h2>
          </summary>
          {demo ? (
            <p className="small muted">{protectedReason}</p>
          ) : !traitsSchema ? (
            <div className="notice warn" role="alert">
              The schema {identity.schema_id} of this identity could not be loaded, so its traits cannot be
              edited here.
            </div>
          ) : (
            <EditIdentityForm
              id={id}
              traitsSchema={traitsSchema}
              traits={(identity.traits ?? {}) as Record<string, unknown>}
              metadataPublic={identity.metadata_public ?? null}
              metadataAdmin={withoutRole(identity.metadata_admin)}
              state={state === "inactive" ? "inactive" : "active"}
              addresses={(identity.verifiable_addresses ?? []).map((a) => ({
                value: a.value,
                verified: a.verified,
              }))}
              {...(identity.updated_at ? { updatedAt: new Date(identity.updated_at).toISOString() } : {})}
              iam={iam}
            />
          )}
        </details>
      )}
      <div className="grid-2">
        <section className="card" aria-labelledby="overview-h">
          <h2 id="overview-h">Overview</h2>
          <dl className="props">
            <dt>Name</dt>
            <dd>{displayName(identity) || "—"}</dd>
            <dt>State</dt>
            <dd>
              {state}{" "}
              {identity.state_changed_at ? (
                <span className="muted small">since {formatTime(identity.state_changed_at)}</span>
              ) : null}
            </dd>
            <dt>Schema</dt>
            <dd>{identity.schema_id}</dd>
            {iam && (
              <>
                <dt>Athena role</dt>
                <dd data-testid="athena-role">{role ?? "none"}</dd>
              </>
            )}
            <dt>Created</dt>
            <dd>{formatTime(identity.created_at)}</dd>
            <dt>Updated</dt>
            <dd>{formatTime(identity.updated_at)}</dd>
            {identity.external_id && (
              <>
                <dt>External id</dt>
                <dd>{identity.external_id}</dd>
              </>
            )}
          </dl>
        </section>
        <section className="card" aria-labelledby="traits-h">
          <h2 id="traits-h">Traits</h2>
          <pre data-testid="traits">{json(identity.traits)}</pre>
        </section>
      </div>
      <div className="grid-2">
        <section className="card" aria-labelledby="mp-h">
          <h2 id="mp-h">Public metadata</h2>
          <pre>{json(identity.metadata_public)}</pre>
        </section>
        <section className="card" aria-labelledby="ma-h">
          <h2 id="ma-h">Admin metadata</h2>
          <pre>{json(identity.metadata_admin)}</pre>
        </section>
      </div>
      <section className="card" aria-labelledby="addr-h">
        <h2 id="addr-h">Addresses</h2>
        {(identity.verifiable_addresses ?? []).length + (identity.recovery_addresses ?? []).length === 0 ? (
          <p className="muted">No verifiable or recovery addresses.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Use</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {(identity.verifiable_addresses ?? []).map((a) => (
                  <tr key={`v-${a.id ?? a.value}`}>
                    <td>{a.value}</td>
                    <td>verification ({a.via})</td>
                    <td>
                      {a.verified ? (
                        <span className="badge ok">
                          verified {a.verified_at ? formatTime(a.verified_at) : ""}
                        </span>
                      ) : (
                        <span className="badge warn">{a.status}</span>
                      )}
                    </td>
                  </tr>
                ))}
                {(identity.recovery_addresses ?? []).map((a) => (
                  <tr key={`r-${a.id ?? a.value}`}>
                    <td>{a.value}</td>
                    <td>recovery ({a.via})</td>
                    <td>—</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="cred-h">
        <h2 id="cred-h">Credentials</h2>
        {credentials.length === 0 ? (
          <p className="muted">No credentials: this identity cannot sign in until it recovers its account.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Identifiers</th>
                  <th scope="col" className="hide-sm">
                    Updated
                  </th>
                  {writer && <th scope="col">Action</th>}
                </tr>
              </thead>
              <tbody>
                {credentials.map(([type, c]) => (
                  <tr key={type}>
                    <td>
                      <span className="badge">{type}</span>
                    </td>
                    <td className="small">
                      {type === "passkey" || type === "webauthn" ? (
                        <WebAuthnKeys
                          identityId={id}
                          type={type}
                          config={c.config}
                          owner={identifier}
                          canWrite={writer}
                          disabledReason={protectedReason}
                        />
                      ) : (
                        (c.identifiers ?? []).join(", ") || "—"
                      )}
                    </td>
                    <td className="hide-sm small">{formatTime(c.updated_at ?? c.created_at)}</td>
                    {writer && (
                      <td>
                        {type === "password" ? (
                          <span className="small muted">Replace it with Reset password</span>
                        ) : type === "oidc" ? (
                          <span className="small muted">Unlink each provider below</span>
                        ) : type === "passkey" || type === "webauthn" ? (
                          <span className="small muted">Remove each key by its name</span>
                        ) : (
                          <ActionButton
                            small
                            label={CREDENTIAL_ACTION[type]?.label ?? "Delete"}
                            title={`${CREDENTIAL_ACTION[type]?.label ?? "Delete"} of ${identifier}?`}
                            description={
                              <p>
                                {CREDENTIAL_ACTION[type]?.effect ??
                                  `${identifier} will no longer be able to sign in with ${type}.`}{" "}
                                Other credentials are kept.
                              </p>
                            }
                            method="DELETE"
                            url={`/api/identities/${id}/credentials/${encodeURIComponent(type)}`}
                            danger
                            disabledReason={protectedReason}
                          />
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="linked-h">
        <h2 id="linked-h">Linked sign-in providers</h2>
        {linked.length === 0 ? (
          <p className="muted">No social sign-in provider is linked.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="linked-providers">
              <thead>
                <tr>
                  <th scope="col">Provider</th>
                  <th scope="col">Id</th>
                  <th scope="col">Subject at the provider</th>
                  {writer && <th scope="col">Action</th>}
                </tr>
              </thead>
              <tbody>
                {linked.map((l) => (
                  <tr key={`${l.provider}:${l.subject}`}>
                    <td>{providerLabel(l.provider)}</td>
                    <td className="mono small">{l.provider}</td>
                    <td className="mono small">{l.subject}</td>
                    {writer && (
                      <td>
                        <ActionButton
                          small
                          label={`Unlink ${providerLabel(l.provider)}`}
                          title={`Unlink ${providerLabel(l.provider)} from ${identifier}?`}
                          description={
                            <p>
                              {identifier} will no longer sign in with {providerLabel(l.provider)}
                              {linked.length === 1 && !identity.credentials?.password
                                ? ". It is their only way in: they will need to recover their account to sign in again"
                                : ""}
                              . The account at {providerLabel(l.provider)} can be linked again later.
                            </p>
                          }
                          method="DELETE"
                          url={`/api/identities/${id}/credentials/oidc?identifier=${encodeURIComponent(`${l.provider}:${l.subject}`)}`}
                          danger
                          disabledReason={protectedReason}
                        />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="sess-h">
        <h2 id="sess-h">Sessions</h2>
        {!sessions.ok ? (
          <ErrorState error={sessions.error} what="the sessions" />
        ) : (
          <SessionsTable
            rows={sessions.value.map((s) => toSessionRow({ ...s, identity: s.identity ?? identity }))}
            canWrite={writer}
            showIdentity={false}
          />
        )}
      </section>
    </div>
  );
}
