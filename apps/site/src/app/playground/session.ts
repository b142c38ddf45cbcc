import { cookies } from "next/headers";
import { type Domain, type DomainSettings, siteConfig } from "../../lib/config";
import { cookieNames, decodeFlow, type PendingFlow } from "../../lib/oauth/flow-cookie";
import { type PlaygroundSession, playgroundStore } from "../../lib/oauth/store";

/** The playground state of this browser for one domain: its settings, pending flow and server-side session. */
export async function currentPlayground(domain: Domain): Promise<{
  settings: DomainSettings;
  flow: PendingFlow | undefined;
  sessionId: string | undefined;
  session: PlaygroundSession | undefined;
}> {
  const settings = siteConfig().domains[domain];
  const jar = await cookies();
  const flow = decodeFlow(jar.get(cookieNames.flow(domain))?.value);
  const sessionId = jar.get(cookieNames.session(domain))?.value;
  return { settings, flow, sessionId, session: playgroundStore.get(sessionId, domain) };
}

/** The callback URL a session was completed at (the page that shows its tokens). */
export function callbackHref(domain: Domain, session: PlaygroundSession): string {
  return `/playground/callback/${domain}${session.callback?.search ? `?${session.callback.search}` : ""}`;
}
