import type { Metadata } from "next";
import Link from "next/link";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { filterClients, GRANT_TYPES, isPublicClient, listAllClients } from "@/lib/core/oauth2-clients";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "OAuth2 clients" };

type SP = { q?: string; type?: string; grant?: string };

const GRANT_LABELS: Record<string, string> = {
  authorization_code: "Authorization code",
  refresh_token: "Refresh token",
  client_credentials: "Client credentials",
  "urn:ietf:params:oauth:grant-type:jwt-bearer": "JWT bearer",
  "urn:ietf:params:oauth:grant-type:device_code": "Device code",
  "urn:ietf:params:oauth:grant-type:token-exchange": "Token exchange",
};

export default async function Clients({ searchParams }: { searchParams: Promise<SP> }) {
  const sp = await searchParams;
  const q = sp.q?.trim().slice(0, 200) || undefined;
  const type = sp.type === "public" || sp.type === "confidential" ? sp.type : undefined;
  const grant = (GRANT_TYPES as readonly string[]).includes(sp.grant ?? "") ? sp.grant : undefined;
  const filtered = !!(q || type || grant);
  const writer = canWrite(await currentSession());
  const list = await attempt(() => listAllClients());
  const shown = list.ok ? filterClients(list.value.clients, { q, type, grant }) : [];
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
        <>
          <search>
            <form className="toolbar card" method="get" action="/clients">
              <div className="field grow">
                <label htmlFor="q">Search</label>
                <input
                  id="q"
                  name="q"
                  type="search"
                  defaultValue={q ?? ""}
                  placeholder="Name, client ID, owner, redirect URI or audience"
                />
              </div>
              <div className="field">
                <label htmlFor="type">Type</label>
                <select id="type" name="type" defaultValue={type ?? ""}>
                  <option value="">Any</option>
                  <option value="confidential">Confidential</option>
                  <option value="public">Public</option>
                </select>
              </div>
              <div className="field">
                <label htmlFor="grant">Grant type</label>
                <select id="grant" name="grant" defaultValue={grant ?? ""}>
                  <option value="">Any</option>
                  {GRANT_TYPES.map((g) => (
                    <option key={g} value={g}>
                      {GRANT_LABELS[g] ?? g}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className="btn primary">
                Search
              </button>
              {filtered && (
                <Link className="btn" href="/clients">
                  Clear
                </Link>
              )}
            </form>
          </search>
          <p className="small muted" role="status" data-testid="clients-total">
            {shown.length} {shown.length === 1 ? "client" : "clients"}
            {filtered ? ` of ${list.value.clients.length} match` : ""}
            {q ? ` “${q}”` : ""}
          </p>
          {shown.length === 0 ? (
            <div className="card">
              <EmptyState title="No client matches">
                <p>
                  <Link href="/clients">Show all clients</Link>.
                </p>
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
                  {shown.map((c) => (
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
        </>
      )}
      {list.ok && list.value.truncated && (
        <p className="small muted">Only the first 1000 clients are listed.</p>
      )}
    </div>
  );
}
