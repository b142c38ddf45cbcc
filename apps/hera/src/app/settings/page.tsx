import type { Session } from "@ory/client-fetch";
import { Settings } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { formToken } from "@/lib/form-token";
import { browserCookie, clients, currentSession } from "@/lib/ory";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";

export const metadata: Metadata = { title: "Your account" };

/** The core's (Olympus-only) info message after a password change that left other sessions signed in. */
const PASSWORD_CHANGED_OTHER_SESSIONS = 1050100;

function describe(session: Session): { device: string; when: string } {
  const device = session.devices?.[0];
  const agent = device?.user_agent ?? "Unknown browser";
  const where = device?.ip_address ? ` · ${device.ip_address}` : "";
  const at = session.authenticated_at ? new Date(session.authenticated_at) : undefined;
  return {
    device: `${agent.length > 80 ? `${agent.slice(0, 77)}…` : agent}${where}`,
    when: at ? `Signed in ${at.toUTCString()}` : "Signed in",
  };
}

export default async function SettingsPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const flow = await loadFlow("settings", toSearchParams(await props.searchParams));
  const cookie = await browserCookie();
  const current = await currentSession(cookie);
  const others = current ? await clients(cookie).frontend.listMySessions({ cookie }) : [];
  const token = current ? formToken(env.csrfSecret, "sessions", current.id) : "";
  // The core says so (message 1050100) after a password change that left other sessions signed in.
  const passwordChanged = flow.ui.messages?.some((m) => m.id === PASSWORD_CHANGED_OTHER_SESSIONS) ?? false;
  return (
    <>
      {current && passwordChanged && others.length > 0 ? (
        <section className="hera-notice hera-warn" role="status" aria-labelledby="signout-others-title">
          <h2 id="signout-others-title">Your password was changed</h2>
          <p>
            You're still signed in on {others.length} other{" "}
            {others.length === 1 ? "device or session" : "devices or sessions"}. If you changed your password
            because someone else might know it, sign them out now.
          </p>
          <form method="post" action="/settings/sessions">
            <input type="hidden" name="csrf_token" value={token} />
            <input type="hidden" name="session_id" value="others" />
            <input type="hidden" name="flow" value={flow.id} />
            <button type="submit" className="hera-button">
              Sign out everywhere else
            </button>
          </form>
        </section>
      ) : null}
      <FlowView ui={flow.ui} title="Your account" copy={copyFor(env)}>
        <Settings flow={flow} config={elementsConfig(env)} />
      </FlowView>
      {current ? (
        <section className="hera-card hera-wide" aria-labelledby="sessions-title">
          <h2 id="sessions-title">Active sessions</h2>
          <p>Devices where you're signed in. Sign out of any you don't recognise.</p>
          <ul className="hera-list">
            <li>
              <div>
                <strong>This device</strong>
                <div className="hera-meta">{describe(current).device}</div>
                <div className="hera-meta">{describe(current).when}</div>
              </div>
            </li>
            {others.map((s) => (
              <li key={s.id} data-testid="other-session">
                <div>
                  <strong>{describe(s).device}</strong>
                  <div className="hera-meta">{describe(s).when}</div>
                </div>
                <form method="post" action="/settings/sessions">
                  <input type="hidden" name="csrf_token" value={token} />
                  <input type="hidden" name="session_id" value={s.id} />
                  <input type="hidden" name="flow" value={flow.id} />
                  <button
                    type="submit"
                    className="hera-button hera-secondary"
                    aria-label={`Sign out of the session on ${describe(s).device}`}
                  >
                    Sign out
                  </button>
                </form>
              </li>
            ))}
          </ul>
          {others.length > 0 ? (
            <form method="post" action="/settings/sessions">
              <input type="hidden" name="csrf_token" value={token} />
              <input type="hidden" name="session_id" value="others" />
              <input type="hidden" name="flow" value={flow.id} />
              <button type="submit" className="hera-button hera-secondary">
                Sign out of all other sessions
              </button>
            </form>
          ) : (
            <p className="hera-meta">No other active sessions.</p>
          )}
        </section>
      ) : null}
      <p className="hera-meta">
        <a className="hera-link" href="/">
          Back to your account
        </a>
      </p>
    </>
  );
}
