import type { Metadata } from "next";
import { Fragment } from "react";
import { SubmitButton } from "@/components/submit-button";
import { redirect } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { formToken } from "@/lib/form-token";
import { acceptConsent, lookupConsent } from "@/lib/oauth2";
import { consentIsAutomatic } from "@/lib/oauth2-rules";
import { browserCookie, currentSession } from "@/lib/ory";
import { describeScope, REQUIRED_SCOPES } from "@/lib/scopes";
import { type AuthorizationDetail, detailRows } from "@/lib/authorization-details";
import type { Translate } from "@/lib/i18n";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.consent") };
}

function Gone({ message, t }: { message: string; t: Translate }) {
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">{t("consent.gone-title")}</h1>
      <p>{message}</p>
      <div className="hera-actions">
        <a className="hera-button" href="/">
          {t("consent.go-account")}
        </a>
      </div>
    </section>
  );
}

/**
 * RFC 9396 authorization details: each one's type, its common fields (actions, locations, …) and every
 * other field as name and value. Shown as text only; the user allows or denies them with the scopes.
 */
function AuthorizationDetails({ details, t }: { details: AuthorizationDetail[]; t: Translate }) {
  if (!details.length) return null;
  return (
    <section className="hera-details" aria-labelledby="details-title">
      <h2 id="details-title" className="hera-meta">
        {t("consent.details")}
      </h2>
      <ul className="hera-list">
        {details.map((d, i) => {
          const rows = detailRows(d);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed for the request; two details may be equal
            <li key={i} className="hera-detail" data-testid="authorization-detail">
              <strong>{rows.type}</strong>
              <dl className="hera-facts">
                {rows.common.map((r) => (
                  <Fragment key={r.field}>
                    <dt>{t(`consent.detail.${r.field}`)}</dt>
                    <dd>{r.text}</dd>
                  </Fragment>
                ))}
                {rows.other.map((r) => (
                  <Fragment key={`other:${r.key}`}>
                    <dt>{r.key}</dt>
                    <dd>{r.text}</dd>
                  </Fragment>
                ))}
              </dl>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export default async function ConsentPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const { t } = await requestI18n();
  const challenge = toSearchParams(await props.searchParams).get("consent_challenge");
  if (!challenge) return <Gone message={t("consent.gone-none")} t={t} />;

  const lookup = await lookupConsent(challenge);
  if (lookup.kind === "redirect") redirect(lookup.to);
  if (lookup.kind === "gone") return <Gone message={t("consent.gone-expired")} t={t} />;
  const request = lookup.request;
  const cookie = await browserCookie();

  // First-party clients and grants the user already remembered need no screen.
  if (consentIsAutomatic(request)) {
    redirect(await acceptConsent(request, { remember: !request.skip, cookie }));
  }

  const session = await currentSession(cookie);
  const traits = (session?.identity?.traits ?? {}) as Record<string, unknown>;
  const who = typeof traits.email === "string" ? traits.email : undefined;
  const client = request.client ?? {};
  const name = client.client_name || client.client_id || t("consent.unknown-client");
  const scopes = request.requested_scope ?? [];
  return (
    <section className="hera-card" aria-labelledby="title">
      <div className="hera-client">
        {/* biome-ignore lint/performance/noImgElement: logos are arbitrary run-time URLs (client registrations, env); next/image would need every host allow-listed at build time */}
        {client.logo_uri ? <img src={client.logo_uri} alt="" width={48} height={48} /> : null}
        <h1 id="title">{t("consent.title", { client: name })}</h1>
      </div>
      {who ? <p>{t("consent.signed-in-as", { who })}</p> : null}
      <form method="post" action="/consent/submit" className="hera-card-form">
        <input type="hidden" name="consent_challenge" value={challenge} />
        <input type="hidden" name="csrf_token" value={formToken(env.csrfSecret, "consent", challenge)} />
        <fieldset className="hera-list hera-fieldset">
          <legend className="hera-meta">{t("consent.can")}</legend>
          {scopes.map((scope) => {
            const d = describeScope(scope, t);
            const required = REQUIRED_SCOPES.has(scope);
            return (
              <label key={scope} className="hera-scope">
                {required ? <input type="hidden" name="grant_scope" value={scope} /> : null}
                <input
                  type="checkbox"
                  name={required ? undefined : "grant_scope"}
                  value={scope}
                  defaultChecked
                  disabled={required}
                />
                <span>
                  <strong>{d.title}</strong>
                  <span className="hera-meta">{d.description}</span>
                </span>
              </label>
            );
          })}
        </fieldset>
        <AuthorizationDetails details={lookup.authorizationDetails} t={t} />
        <label className="hera-check">
          <input type="checkbox" name="remember" value="true" />
          {t("consent.remember", { client: name })}
        </label>
        <div className="hera-actions">
          <SubmitButton name="action" value="accept" pendingLabel={t("form.pending")}>
            {t("consent.allow")}
          </SubmitButton>
          <SubmitButton
            name="action"
            value="reject"
            className="hera-button hera-secondary"
            pendingLabel={t("form.pending")}
          >
            {t("consent.deny")}
          </SubmitButton>
        </div>
      </form>
      {client.policy_uri || client.tos_uri ? (
        <p className="hera-meta">
          {client.policy_uri ? (
            <a className="hera-link" href={client.policy_uri} rel="noreferrer">
              {t("consent.privacy")}
            </a>
          ) : null}
          {client.policy_uri && client.tos_uri ? " · " : null}
          {client.tos_uri ? (
            <a className="hera-link" href={client.tos_uri} rel="noreferrer">
              {t("consent.tos")}
            </a>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}
