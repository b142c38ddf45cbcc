import type { Metadata } from "next";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { attempt } from "@/lib/core/errors";
import { oidcProviders } from "@/lib/core/oidc-providers";

export const metadata: Metadata = { title: "Sign-in providers" };

/** The domain's social sign-in providers (selfservice.methods.oidc): read-only, never a secret. */
export default async function Providers() {
  const found = await attempt(oidcProviders);
  return (
    <div className="stack">
      <PageHeader
        title="Sign-in providers"
        description="Social sign-in (the oidc method): the providers this domain's sign-in page offers. They are read from the identity core's configuration (selfservice.methods.oidc); client secrets never leave the core."
      />
      {!found.ok ? (
        <ErrorState error={found.error} what="the sign-in providers" />
      ) : !found.value.enabled || found.value.providers.length === 0 ? (
        <div className="card">
          <EmptyState title={found.value.enabled ? "No providers configured" : "Social sign-in is off"}>
            <p className="small muted">
              Add providers under selfservice.methods.oidc in the identity core's configuration.
            </p>
          </EmptyState>
        </div>
      ) : (
        <section className="card" aria-labelledby="providers-h">
          <h2 id="providers-h">Configured providers</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Label</th>
                  <th scope="col">Type</th>
                  <th scope="col">Issuer</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Client id</th>
                  <th scope="col">Client secret</th>
                  <th scope="col" className="hide-sm">
                    Callback URL
                  </th>
                </tr>
              </thead>
              <tbody>
                {found.value.providers.map((p) => (
                  <tr key={p.id} data-testid={`provider-${p.id}`}>
                    <td className="mono">{p.id}</td>
                    <td>{p.label}</td>
                    <td>
                      <span className="badge">{p.provider}</span>
                    </td>
                    <td className="mono small">{p.issuer_url ?? "— (OAuth2 endpoints)"}</td>
                    <td className="small">{p.scope.join(" ") || "—"}</td>
                    <td className="mono small">{p.client_id}</td>
                    <td className="small">{p.client_secret_set ? "set" : "none"}</td>
                    <td className="mono small hide-sm">{p.redirect_uri}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </div>
  );
}
