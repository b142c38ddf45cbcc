import "server-only";
import { createDomainClients, type DomainClients } from "@olympus/sdk";
import { fetchWithRequestId } from "@olympus/web/log";
import { athenaEnv } from "../env";
import { withActorHeader } from "./actor";

let clients: DomainClients | undefined;

/** The SDK clients for this instance's domain (admin APIs are reached server-side only). */
export function core(): DomainClients {
  if (!clients) {
    const env = athenaEnv();
    clients = createDomainClients(
      {
        publicUrl: env.kratosPublicUrl,
        adminUrl: env.kratosAdminUrl,
        // The domain's OAuth2 public API is not used by Athena's pages; the sign-in issuer is IAM's.
        oauth2PublicUrl: env.auth.issuerUrl,
        oauth2AdminUrl: env.hydraAdminUrl,
      },
      // Admin data must never come from Next's fetch cache; writes name the signed-in administrator;
      // every call carries the request id of the request being served (the core logs it).
      {
        fetchApi: fetchWithRequestId((input, init) =>
          fetch(input, { ...withActorHeader(input, init), cache: "no-store" }),
        ),
      },
    );
  }
  return clients;
}
