import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { StepView } from "../../../../components/playground/StepView";
import { isDomain, siteConfig } from "../../../../lib/config";
import { allowedScopes } from "../../../../lib/oauth/playground";
import { clientCredentialsAction, introspectMachineAction } from "../../actions";
import { currentPlayground } from "../../session";

export const metadata: Metadata = { title: "OAuth2 playground — client credentials" };

interface Props {
  params: Promise<{ domain: string }>;
}

/**
 * Machine to machine: the client_credentials grant with the playground's confidential client, a scope
 * picker of what the core registered for it, DPoP as an option, and introspection of the token it got.
 */
export default async function Machine({ params }: Props) {
  const { domain } = await params;
  if (!isDomain(domain)) notFound();
  const { settings, session } = await currentPlayground(domain);
  const scopes = await allowedScopes(settings, siteConfig().adminUrls[domain], settings.machineClientId);
  const machine = session?.machine;
  return (
    <div className="container pg">
      <h1>{settings.label}: client credentials</h1>
      <p className="lead muted">
        A server talking to an API on its own behalf, with no user: the <code>client_credentials</code> grant
        (RFC 6749 §4.4) with the confidential client <code>{settings.machineClientId}</code>. The client
        authenticates with HTTP Basic; its secret stays on the Site&apos;s server and is not shown.
      </p>
      <form action={clientCredentialsAction.bind(null, domain)} className="card">
        <fieldset className="scopes" data-machine-scopes={domain}>
          <legend className="small">
            scope{" "}
            <span className="muted">(what the identity core lets {settings.machineClientId} ask for)</span>
          </legend>
          {scopes.length === 0 && (
            <p className="small muted">The identity core did not answer with this client&apos;s scopes.</p>
          )}
          {scopes.map((s) => (
            <label key={s} className="check-label">
              <input type="checkbox" name="scope" value={s} id={`cc-scope-${s}`} defaultChecked /> {s}
            </label>
          ))}
        </fieldset>
        <p className="row">
          <label className="check-label" htmlFor="cc-dpop">
            <input type="checkbox" name="dpop" id="cc-dpop" /> DPoP — bind the token to a key of this session
            (RFC 9449)
          </label>
        </p>
        <button type="submit" id="client-credentials">
          Request a token
        </button>
      </form>
      {machine?.steps.map((s, i) => (
        <StepView key={s.seq} step={s} index={i} />
      ))}
      {machine?.tokens?.access_token && (
        <form action={introspectMachineAction.bind(null, domain)} className="inline-form">
          <button type="submit" className="secondary" id="introspect-machine">
            Introspect this token
          </button>
        </form>
      )}
      <p>
        <Link href="/playground">Back to the playground</Link>
      </p>
    </div>
  );
}
