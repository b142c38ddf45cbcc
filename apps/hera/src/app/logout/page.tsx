import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { formToken } from "@/lib/form-token";
import { lookupLogout } from "@/lib/oauth2";
import { browserCookie, clients, statusOf } from "@/lib/ory";

export const metadata: Metadata = { title: "Sign out" };

async function logoutUrl(returnTo: string | null): Promise<string | undefined> {
  const cookie = await browserCookie();
  if (!cookie) return undefined;
  try {
    const flow = await clients(cookie).frontend.createBrowserLogoutFlow({
      cookie,
      ...(returnTo ? { returnTo } : {}),
    });
    return flow.logout_url;
  } catch (err) {
    if (statusOf(err) === 401) return undefined;
    throw err;
  }
}

function SignedOut() {
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">You're signed out</h1>
      <p>You can close this window, or sign in again.</p>
      <div className="hera-actions">
        <a className="hera-button" href="/login">
          Sign in
        </a>
      </div>
    </section>
  );
}

export default async function LogoutPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const params = toSearchParams(await props.searchParams);
  const challenge = params.get("logout_challenge");

  if (!challenge) {
    const url = await logoutUrl(params.get("return_to"));
    if (!url) return <SignedOut />;
    return (
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">Sign out of {env.brand.name}?</h1>
        <p>You'll need to sign in again to use your account on this device.</p>
        <div className="hera-actions">
          <a className="hera-button" href={url}>
            Sign out
          </a>
          <a className="hera-button hera-secondary" href="/">
            Cancel
          </a>
        </div>
      </section>
    );
  }

  // RP-initiated logout: an application asked the OAuth2 provider to end the user's session.
  const lookup = await lookupLogout(challenge);
  if (lookup.kind === "redirect") redirect(lookup.to);
  if (lookup.kind === "gone") return <SignedOut />;
  const client = lookup.request.client?.client_name || lookup.request.client?.client_id;
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">Sign out?</h1>
      <p>
        {`${client ?? "An application"} asks to sign you out of ${env.brand.name}. This ends your session on this device.`}
      </p>
      <form method="post" action="/logout/submit" className="hera-actions">
        <input type="hidden" name="logout_challenge" value={challenge} />
        <input type="hidden" name="csrf_token" value={formToken(env.csrfSecret, "logout", challenge)} />
        <button type="submit" name="action" value="accept" className="hera-button">
          Yes, sign me out
        </button>
        <button type="submit" name="action" value="reject" className="hera-button hera-secondary">
          No, stay signed in
        </button>
      </form>
    </section>
  );
}
