import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { DOMAINS, type Domain, type DomainSettings, siteConfig } from "../../lib/config";
import { explainError, type ExplainedError } from "../../lib/oauth/errors";
import type { PendingFlow } from "../../lib/oauth/flow-cookie";
import { allowedScopes, authorizationRequest, discover } from "../../lib/oauth/playground";
import { createHash } from "node:crypto";
import { playgroundStore } from "../../lib/oauth/store";
import { ErrorPanel } from "../../components/playground/ErrorPanel";
import { Json } from "../../components/playground/Json";
import { callbackHref, currentPlayground } from "./session";

export const metadata: Metadata = { title: "OAuth2 playground" };

interface Props {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

const challengeOf = (verifier: string) => createHash("sha256").update(verifier, "ascii").digest("base64url");

async function PreparedRequest({ settings, flow }: { settings: DomainSettings; flow: PendingFlow }) {
  let metadata: Awaited<ReturnType<typeof discover>>;
  try {
    metadata = await discover(settings);
  } catch (e) {
    return (
      <ErrorPanel
        error={explainError("discovery_failed", {
          issuer: settings.issuerUrl,
          message: (e as Error).message,
        })}
      />
    );
  }
  const { params, url } = authorizationRequest(settings, metadata, flow, challengeOf(flow.codeVerifier));
  return (
    <div className="step" id={`request-${settings.domain}`} data-prepared={settings.domain}>
      <h3>Authorization request, ready to send</h3>
      <p className="small">
        Nothing has been sent yet. These are the parameters of the request; the PKCE <em>verifier</em> behind
        the challenge and the state and nonce are kept in an HttpOnly cookie for this domain (10 minutes) and
        never reach the browser&apos;s scripts.
      </p>
      <dl className="kv" aria-label="Authorization request parameters">
        {Object.entries(params).map(([k, v]) => (
          <div key={k} className="contents" data-param={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {flow.dpop && (
        <p className="small" data-dpop-chosen>
          DPoP chosen: when the code comes back, the Site&apos;s server makes an ES256 key pair for this
          session and signs a DPoP proof (RFC 9449) for every request to the token and userinfo endpoints; the
          tokens are then bound to that key (<code>token_type: DPoP</code>).
        </p>
      )}
      <p className="small muted">
        Endpoint: <code>{metadata.authorization_endpoint}</code> (from the discovery document of{" "}
        <code>{metadata.issuer}</code>)
      </p>
      <p>Full authorize URL:</p>
      <p className="url" data-authorize-url>
        {url}
      </p>
      <div className="row">
        <a className="button" href={url} id={`continue-${settings.domain}`}>
          Continue to {settings.label} sign-in
        </a>
        <form method="post" action={`/playground/authorize/${settings.domain}`} className="inline-form">
          <input type="hidden" name="prompt" value={flow.prompt ?? ""} />
          <input type="hidden" name="scope-picker" value="1" />
          {(params.scope ?? "").split(" ").map((s) => (
            <input key={s} type="hidden" name="scope" value={s} />
          ))}
          {flow.dpop && <input type="hidden" name="dpop" value="on" />}
          <button type="submit" className="secondary">
            New state and verifier
          </button>
        </form>
      </div>
    </div>
  );
}

function DomainCard({
  settings,
  activeHref,
  scopes,
}: {
  settings: DomainSettings;
  activeHref: string | undefined;
  scopes: string[];
}) {
  const d = settings.domain;
  const preset = new Set(settings.scope.split(/\s+/));
  return (
    <article className={`card ${d}`} aria-labelledby={`title-${d}`}>
      <h2 id={`title-${d}`}>
        {settings.label} <span className="muted small">— {settings.audience}</span>
      </h2>
      <dl className="kv small">
        <dt>issuer</dt>
        <dd>{settings.issuerUrl}</dd>
        <dt>client_id</dt>
        <dd>{settings.clientId}</dd>
        <dt>redirect_uri</dt>
        <dd>{settings.redirectUri}</dd>
      </dl>
      {activeHref && (
        <p className="notice small">
          This browser has a {settings.label} playground session.{" "}
          <Link href={activeHref}>Show its tokens</Link>.
        </p>
      )}
      <form method="post" action={`/playground/authorize/${d}`}>
        <fieldset>
          <legend>Start Authorization Code + PKCE</legend>
          <fieldset className="scopes" data-scope-picker={d}>
            <legend className="small">
              scope <span className="muted">(what the identity core lets {settings.clientId} ask for)</span>
            </legend>
            <input type="hidden" name="scope-picker" value="1" />
            {scopes.map((s) => (
              <label key={s} className="check-label">
                <input
                  type="checkbox"
                  name="scope"
                  value={s}
                  id={`scope-${d}-${s}`}
                  defaultChecked={preset.has(s) || s === "openid"}
                  disabled={s === "openid"}
                />{" "}
                {s}
                {s === "openid" ? (
                  <span className="muted small"> (always: the ID token is checked)</span>
                ) : null}
              </label>
            ))}
          </fieldset>
          <p className="row">
            <label className="check-label" htmlFor={`dpop-${d}`}>
              <input type="checkbox" name="dpop" id={`dpop-${d}`} /> DPoP — bind the tokens to a key (RFC
              9449)
            </label>
          </p>
          <p className="row">
            <label htmlFor={`prompt-${d}`}>prompt</label>
            <select id={`prompt-${d}`} name="prompt" defaultValue="">
              <option value="">(none — sign in if needed)</option>
              <option value="login">login — always ask for credentials</option>
              <option value="consent">consent — always show consent</option>
              <option value="none">none — never interact (shows login_required without a session)</option>
            </select>
          </p>
          <button type="submit" id={`prepare-${d}`}>
            Prepare {settings.label} request
          </button>
        </fieldset>
      </form>
      <p className="small">
        <Link href={`/playground/machine/${d}`} id={`machine-${d}`}>
          Machine to machine: the client_credentials grant →
        </Link>
        <br />
        <Link href={`/playground/device/${d}`} id={`device-${d}`}>
          A device without a browser: the device flow (RFC 8628) →
        </Link>
      </p>
    </article>
  );
}

export default async function Playground({ searchParams }: Props) {
  const sp = await searchParams;
  const config = siteConfig();
  const host = (await headers()).get("host");
  const wrongHost = host !== null && host !== new URL(config.publicUrl).host;

  // Back from RP-initiated logout: the identity provider returns our state.
  const logoutState = typeof sp.state === "string" ? sp.state : undefined;
  let logoutNotice: { domain: Domain } | undefined;
  let logoutError: ExplainedError | undefined;
  if (logoutState) {
    const domain = playgroundStore.takeLogout(logoutState);
    if (domain) logoutNotice = { domain };
    else logoutError = explainError("logout_state_mismatch", Object.fromEntries(Object.entries(sp)));
  }

  const cards = await Promise.all(
    DOMAINS.map(async (d) => {
      const { settings, flow, session } = await currentPlayground(d);
      return {
        settings,
        flow,
        activeHref: session?.tokens ? callbackHref(d, session) : undefined,
        scopes: await allowedScopes(settings, config.adminUrls[d]),
      };
    }),
  );

  return (
    <div className="container pg">
      <h1>OAuth2 playground</h1>
      <p className="lead muted">
        Authorization Code with PKCE (S256) as a <strong>public client</strong>: no client secret, the code is
        bound to this browser by the verifier. Pick a domain, look at the request, sign in, and see every step
        of the round trip.
      </p>
      {wrongHost && (
        <p className="alert">
          You opened the playground at <code>{host}</code>, but its redirect URIs are registered for{" "}
          <code>{config.publicUrl}</code>. Cookies are per host, so open{" "}
          <a href={`${config.publicUrl}/playground`}>the playground there</a>.
        </p>
      )}
      {logoutNotice && (
        <p className="notice" role="status" data-logged-out={logoutNotice.domain}>
          Signed out of {config.domains[logoutNotice.domain].label}. The identity provider ended the session
          and returned the <code>state</code> this Site sent with the logout request, so this redirect is
          genuine.
        </p>
      )}
      {logoutError && <ErrorPanel error={logoutError} />}
      {typeof sp.error === "string" && <ErrorPanel error={explainError(sp.error)} />}
      <div className="grid">
        {cards.map(({ settings, activeHref, scopes }) => (
          <DomainCard key={settings.domain} settings={settings} activeHref={activeHref} scopes={scopes} />
        ))}
      </div>
      {cards
        .filter((c) => c.flow)
        .map(({ settings, flow }) => (
          <section key={settings.domain} aria-label={`${settings.label} authorization request`}>
            <h2>{settings.label}: step 1 — the authorization request</h2>
            <PreparedRequest settings={settings} flow={flow!} />
          </section>
        ))}
      <section>
        <h2>What happens</h2>
        <ol>
          <li>
            The Site makes a random <code>code_verifier</code>, <code>state</code> and <code>nonce</code>, and
            sends only <code>BASE64URL(SHA-256(verifier))</code> as the <code>code_challenge</code>.
          </li>
          <li>
            You sign in at Hera and grant consent; the identity core redirects back with a one-time code.
          </li>
          <li>
            The Site checks <code>state</code>, then redeems the code at <code>/oauth2/token</code> with the
            verifier — as a public client, with no secret — using openid-client.
          </li>
          <li>
            The ID token is verified against the domain&apos;s JWKS: signature, <code>iss</code>,{" "}
            <code>aud</code>, <code>exp</code> and <code>nonce</code>, each shown.
          </li>
          <li>
            The access token calls <code>/userinfo</code>; the refresh token can be used (and rotates); logout
            ends the session at the provider with <code>id_token_hint</code>.
          </li>
        </ol>
        <p className="small muted">
          Tokens stay in this Site&apos;s server memory, named by a random id in an HttpOnly cookie; nothing
          is written to localStorage. See <Link href="/docs/playground">how the playground works</Link>.
        </p>
        <details>
          <summary>Configuration of this Site</summary>
          <Json
            label="Site configuration"
            value={{ SITE_PUBLIC_URL: config.publicUrl, domains: config.domains }}
          />
        </details>
      </section>
    </div>
  );
}
