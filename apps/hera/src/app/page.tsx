import type { Identity } from "@ory/client-fetch";
import { redirect } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { browserCookie, clients, currentSession } from "@/lib/ory";

function displayName(identity: Identity): string | undefined {
  const t = (identity.traits ?? {}) as Record<string, unknown>;
  const nested = t.name && typeof t.name === "object" ? (t.name as Record<string, unknown>) : {};
  const parts = [nested.first ?? t.first_name, nested.last ?? t.last_name].filter(
    (p) => typeof p === "string" && p,
  );
  return parts.length ? parts.join(" ") : undefined;
}

/** The signed-in landing page: who you are, what to do next. */
export default async function Home() {
  const env = heraEnv();
  const cookie = await browserCookie();
  const session = await currentSession(cookie);
  if (!session?.identity) redirect("/login");
  const identity = session.identity;
  const traits = (identity.traits ?? {}) as Record<string, unknown>;
  const email = typeof traits.email === "string" ? traits.email : undefined;
  const name = displayName(identity);
  const unverified = (identity.verifiable_addresses ?? []).filter((a) => !a.verified);
  const logout = await clients(cookie).frontend.createBrowserLogoutFlow({ cookie });
  return (
    <>
      {env.verificationEnabled && unverified.length > 0 ? (
        <p className="hera-notice hera-warn" role="status">
          Please verify your email address {unverified[0]!.value}.{" "}
          <a className="hera-link" href="/verification">
            Verify now
          </a>
        </p>
      ) : null}
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">{name ? `Hello, ${name}` : "You're signed in"}</h1>
        <p>You're signed in to {env.brand.name}.</p>
        <dl className="hera-facts">
          {email ? (
            <>
              <dt>Email</dt>
              <dd data-testid="identity-email">{email}</dd>
            </>
          ) : null}
          <dt>Signed in</dt>
          <dd>{session.authenticated_at ? new Date(session.authenticated_at).toUTCString() : "now"}</dd>
        </dl>
        <div className="hera-actions">
          <a className="hera-button" href="/settings">
            Account settings
          </a>
          <a className="hera-button hera-secondary" href={logout.logout_url}>
            Sign out
          </a>
        </div>
      </section>
    </>
  );
}
