import type { Metadata } from "next";
import { RuntimeSettingsForm } from "@/components/settings/runtime-settings-form";
import { VaultForm } from "@/components/settings/vault-form";
import { EmptyState, ErrorState, formatTime, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { LIVE_KEYS, listRuntimeSettings, listVault } from "@/lib/core/security";
import { SESSION_MAX_AGE } from "@/lib/session/seal";
import { athenaEnv } from "@/lib/env";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Settings" };

/** The instance's configuration, read-only, and the domain's settings vault (secrets are never shown). */
export default async function Settings() {
  const env = athenaEnv();
  const session = await currentSession();
  const writer = canWrite(session);
  const [vault, runtime] = await Promise.all([attempt(listVault), attempt(listRuntimeSettings)]);
  // Run-time settings are edited through their typed form; the raw vault lists the other keys.
  const others = vault.ok ? vault.value.filter((r) => !(LIVE_KEYS as readonly string[]).includes(r.key)) : [];
  const rows: [string, string, string][] = [
    ["Domain", env.domain.toUpperCase(), "OLYMPUS_DOMAIN"],
    ["Athena URL", env.publicUrl, "ATHENA_PUBLIC_URL"],
    ["Identity admin API (Kratos)", env.kratosAdminUrl, "KRATOS_ADMIN_URL"],
    ["Identity public API (Kratos)", env.kratosPublicUrl, "KRATOS_PUBLIC_URL"],
    ["OAuth2 admin API (Hydra)", env.hydraAdminUrl, "HYDRA_ADMIN_URL"],
    ["OAuth2 issuer of this domain", env.hydraPublicUrl, "HYDRA_PUBLIC_URL"],
    ["IAM admin API (roles)", env.iamKratosAdminUrl, "IAM_KRATOS_ADMIN_URL"],
  ];
  const auth: [string, string, string][] = [
    ["Issuer", env.auth.issuerUrl, "AUTH_ISSUER_URL"],
    ["Client ID", env.auth.clientId, "AUTH_CLIENT_ID"],
    ["Redirect URI", env.auth.redirectUri, "AUTH_REDIRECT_URI"],
    ["Scope", env.auth.scope, "AUTH_SCOPE"],
  ];
  const table = (caption: string, data: [string, string, string][]) => (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Value</th>
            <th scope="col" className="hide-sm">
              Variable
            </th>
          </tr>
        </thead>
        <tbody>
          {data.map(([k, v, e]) => (
            <tr key={e}>
              <th
                scope="row"
                style={{
                  textTransform: "none",
                  letterSpacing: 0,
                  fontSize: "0.9rem",
                  background: "transparent",
                }}
              >
                {k}
              </th>
              <td className="mono">{v}</td>
              <td className="hide-sm mono muted">{e}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <div className="stack">
      <PageHeader
        title="Settings"
        description="How this Athena instance is configured. Values come from its environment at start."
      />
      <section className="stack" aria-labelledby="runtime-h">
        <h2 id="runtime-h">Run-time settings</h2>
        <p className="small muted">
          Settings the {env.domain.toUpperCase()} identity core applies while it runs, without a restart. Each
          overrides the configuration file until it is reset; the core checks every value against its type and
          range and records each change in the audit log.
        </p>
        {!runtime.ok ? (
          <ErrorState error={runtime.error} what="the run-time settings" />
        ) : (
          <RuntimeSettingsForm settings={runtime.value} writer={writer} />
        )}
        {!writer && (
          <p className="small muted">Viewers can read these settings; only administrators change them.</p>
        )}
      </section>
      <section className="stack" aria-labelledby="vault-h">
        <h2 id="vault-h">Settings vault</h2>
        <p className="small muted">
          Other values stored by the {env.domain.toUpperCase()} identity core for integrations; secret values
          are encrypted at rest and shown masked.
        </p>
        {!vault.ok ? (
          <ErrorState error={vault.error} what="the settings vault" />
        ) : others.length === 0 ? (
          <EmptyState title="The vault holds no other values">
            Run-time settings are shown above with their types.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Settings vault</caption>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Value</th>
                  <th scope="col" className="hide-sm">
                    Category
                  </th>
                  <th scope="col" className="hide-sm">
                    Updated
                  </th>
                </tr>
              </thead>
              <tbody>
                {others.map((r) => (
                  <tr key={r.key} data-testid="vault-row">
                    <td className="mono">{r.key}</td>
                    <td className="mono">
                      {r.value} {r.secret && <span className="badge">secret</span>}
                    </td>
                    <td className="hide-sm small">{r.category}</td>
                    <td className="hide-sm small">{formatTime(r.updatedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {writer ? (
          <VaultForm suggestions={[...new Set(others.map((r) => r.key))]} />
        ) : (
          <p className="small muted">Viewers can read the vault; only administrators change it.</p>
        )}
      </section>
      <section className="stack" aria-labelledby="inst-h">
        <h2 id="inst-h">Instance</h2>
        {table("Instance", rows)}
      </section>
      <section className="stack" aria-labelledby="auth-h">
        <h2 id="auth-h">Administrator sign-in</h2>
        {table("Sign-in", auth)}
      </section>
      <section className="card" aria-labelledby="sess-h">
        <h2 id="sess-h">Your Athena session</h2>
        <dl className="props small">
          <dt>Cookie</dt>
          <dd>
            <code>athena-session</code>: HttpOnly, SameSite=Lax{env.cookieSecure ? ", Secure" : ""}; encrypted
            (JWE dir + A256GCM) with a key derived for this domain; at most {SESSION_MAX_AGE / 3600} hours
          </dd>
          <dt>Session secret</dt>
          <dd>
            {env.sessionSecretIsDefault ? (
              <span className="badge danger">development default — set ATHENA_SESSION_SECRET</span>
            ) : (
              "set (not shown)"
            )}
          </dd>
          {session && (
            <>
              <dt>Expires</dt>
              <dd>{new Date(session.exp * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC</dd>
            </>
          )}
        </dl>
      </section>
    </div>
  );
}
