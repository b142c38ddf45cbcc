import type { Metadata } from "next";
import { SubmitButton } from "@/components/submit-button";
import { redirect } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { formToken } from "@/lib/form-token";
import { lookupLogout } from "@/lib/oauth2";
import { browserCookie, clients, statusOf } from "@/lib/ory";
import type { Translate } from "@/lib/i18n";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.logout") };
}

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

function SignedOut({ t }: { t: Translate }) {
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">{t("logout.signed-out-title")}</h1>
      <p>{t("logout.signed-out-body")}</p>
      <div className="hera-actions">
        <a className="hera-button" href="/login">
          {t("logout.sign-in")}
        </a>
      </div>
    </section>
  );
}

export default async function LogoutPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const { t } = await requestI18n();
  const params = toSearchParams(await props.searchParams);
  const challenge = params.get("logout_challenge");

  if (!challenge) {
    const url = await logoutUrl(params.get("return_to"));
    if (!url) return <SignedOut t={t} />;
    return (
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">{t("logout.confirm-title", { brand: env.brand.name })}</h1>
        <p>{t("logout.confirm-body")}</p>
        <div className="hera-actions">
          <a className="hera-button" href={url}>
            {t("logout.sign-out")}
          </a>
          <a className="hera-button hera-secondary" href="/">
            {t("logout.cancel")}
          </a>
        </div>
      </section>
    );
  }

  // RP-initiated logout: an application asked the OAuth2 provider to end the user's session.
  const lookup = await lookupLogout(challenge);
  if (lookup.kind === "redirect") redirect(lookup.to);
  if (lookup.kind === "gone") return <SignedOut t={t} />;
  const client = lookup.request.client?.client_name || lookup.request.client?.client_id;
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">{t("logout.rp-title")}</h1>
      <p>{t("logout.rp-body", { client: client ?? t("consent.unknown-client"), brand: env.brand.name })}</p>
      <form method="post" action="/logout/submit" className="hera-actions">
        <input type="hidden" name="logout_challenge" value={challenge} />
        <input type="hidden" name="csrf_token" value={formToken(env.csrfSecret, "logout", challenge)} />
        <SubmitButton name="action" value="accept" pendingLabel={t("logout.pending")}>
          {t("logout.yes")}
        </SubmitButton>
        <SubmitButton
          name="action"
          value="reject"
          className="hera-button hera-secondary"
          pendingLabel={t("form.pending")}
        >
          {t("logout.no")}
        </SubmitButton>
      </form>
    </section>
  );
}
