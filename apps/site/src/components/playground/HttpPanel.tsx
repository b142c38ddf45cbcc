import type { HttpExchange } from "../../lib/oauth/recorder";
import { Json } from "./Json";

function parseBody(body: string | undefined, type: string | undefined): unknown {
  if (body === undefined || body === "") return undefined;
  if (type?.includes("json")) {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  if (type?.includes("x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(body));
  return body;
}

/** A DPoP proof (RFC 9449) decoded for display: its header (with the public key) and claims. */
function decodeProof(proof: string): { header: unknown; claims: unknown } | undefined {
  const [h, p] = proof.split(".");
  try {
    return {
      header: JSON.parse(Buffer.from(h ?? "", "base64url").toString("utf8")),
      claims: JSON.parse(Buffer.from(p ?? "", "base64url").toString("utf8")),
    };
  } catch {
    return undefined;
  }
}

/** One HTTP exchange with the identity core: the request as sent and the response as received. */
export function HttpPanel({ exchange, open = false }: { exchange: HttpExchange; open?: boolean }) {
  const reqType = exchange.requestHeaders["content-type"];
  const resType = exchange.responseHeaders?.["content-type"];
  const hasAuth = "authorization" in exchange.requestHeaders;
  return (
    <details open={open}>
      <summary>
        <code>
          {exchange.method} {exchange.url}
        </code>{" "}
        → {exchange.status ?? "no response"} <span className="muted small">({exchange.ms} ms)</span>
      </summary>
      <h4>Request</h4>
      <Json value={{ headers: exchange.requestHeaders }} label="Request headers" />
      {exchange.requestHeaders.dpop && (
        <div data-dpop-proof>
          <p className="small muted">
            The <code>DPoP</code> header decoded: a JWT signed with the session&apos;s private key, naming
            this request&apos;s method and URL (<code>htm</code>, <code>htu</code>) and, towards a resource,
            the access token&apos;s hash (<code>ath</code>).
          </p>
          <Json value={decodeProof(exchange.requestHeaders.dpop) ?? "(not a JWT)"} label="DPoP proof" />
        </div>
      )}
      {exchange.requestBody !== undefined && (
        <>
          <p className="small muted">
            Body ({reqType ?? "unknown type"})
            {exchange.method === "POST" && !hasAuth
              ? " — no Authorization header and no client_secret: a public client proves itself with the PKCE verifier."
              : ""}
          </p>
          <Json value={parseBody(exchange.requestBody, reqType)} label="Request body" />
        </>
      )}
      <h4>Response</h4>
      {exchange.networkError ? (
        <p className="alert">No response: {exchange.networkError}</p>
      ) : (
        <>
          <Json
            value={{ status: exchange.status, headers: exchange.responseHeaders }}
            label="Response status and headers"
          />
          <Json value={parseBody(exchange.responseBody, resType) ?? "(empty body)"} label="Response body" />
        </>
      )}
    </details>
  );
}
