import type { Identity } from "@ory/client-fetch";
import { redirect } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { formatDateTime } from "@/lib/i18n";
import { requestI18n } from "@/lib/i18n/server";
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
  const { locale, t } = await requestI18n();
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
          {t("home.verify", { address: unverified[0]!.value })}{" "}
          <a className="hera-link" href="/verification">
            {t("home.verify-now")}
          </a>
        </p>
      ) : null}
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">{name ? t("home.hello", { name }) : t("home.signed-in-title")}</h1>
        <p>{t("home.signed-in-to", { brand: env.brand.name })}</p>
        <dl className="hera-facts">
          {email ? (
            <>
              <dt>{t("home.email")}</dt>
              <dd data-testid="identity-email">{email}</dd>
            </>
          ) : null}
          <dt>{t("home.signed-in-at")}</dt>
          <dd>
            {session.authenticated_at
              ? formatDateTime(locale, new Date(session.authenticated_at))
              : t("home.now")}
          </dd>
        </dl>
        <div className="hera-actions">
          <a className="hera-button" href="/settings">
            {t("home.settings")}
          </a>
          <a className="hera-button hera-secondary" href={logout.logout_url}>
            {t("home.sign-out")}
          </a>
        </div>
      </section>
    </>
  );
}
