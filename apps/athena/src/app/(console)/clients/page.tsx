import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { isPublicClient, listAllClients } from "@/lib/core/oauth2-clients";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "OAuth2 clients" };

export default async function Clients() {
  const writer = canWrite(await currentSession());
  const list = await attempt(() => listAllClients());
  return (
    <div className="stack">
      <PageHeader
        title="OAuth2 clients"
        description="Applications that sign users in or call APIs with this domain's OAuth2 provider."
        actions={
          writer && (
            <Link className="btn primary" href="/clients/new">
              Register client
            </Link>
          )
        }
      />
      {!list.ok ? (
        <ErrorState error={list.error} what="the OAuth2 clients" />
      ) : list.value.clients.length === 0 ? (
        <div className="card">
          <EmptyState title="No OAuth2 clients yet">
            {writer && (
              <p>
                <Link href="/clients/new">Register the first one</Link>.
              </p>
            )}
          </EmptyState>
        </div>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">OAuth2 clients</caption>
            <thead>
              <tr>
                <th scope="col">Client</th>
                <th scope="col">Type</th>
                <th scope="col">Grant types</th>
                <th scope="col" className="hide-sm">
                  Redirect URIs
                </th>
              </tr>
            </thead>
            <tbody>
              {list.value.clients.map((c) => (
                <tr key={c.client_id}>
                  <td>
                    <Link href={`/clients/${encodeURIComponent(c.client_id ?? "")}`}>
                      {c.client_name || c.client_id}
                    </Link>
                    <div className="cell-id">{c.client_id}</div>
                  </td>
                  <td>
                    <span className={`badge ${isPublicClient(c) ? "" : "accent"}`}>
                      {isPublicClient(c) ? "public" : "confidential"}
                    </span>{" "}
                    {c.skip_consent && <span className="badge">first-party</span>}
                  </td>
                  <td className="small">{(c.grant_types ?? []).join(", ")}</td>
                  <td className="hide-sm small">{(c.redirect_uris ?? []).join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.ok && list.value.truncated && (
        <p className="small muted">Only the first 1000 clients are listed.</p>
      )}
    </div>
  );
}
