import type { OAuth2ConsentSession, Session } from "@ory/client-fetch";
import type { Metadata } from "next";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { formToken } from "@/lib/form-token";
import { browserCookie, clients, currentSession, deletionOffered } from "@/lib/ory";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { SettingsCard } from "@/components/flow-cards";
import { FlowView } from "@/components/flow-view";
import { PasswordRulesPanel } from "@/components/password-rules";
import { SubmitButton } from "@/components/submit-button";
import { describeUserAgent, sessionMethods } from "@/lib/device";
import { formatDateTime, type Locale, type MessageId, type Translate } from "@/lib/i18n";
import { requestI18n } from "@/lib/i18n/server";
import { describeScope } from "@/lib/scopes";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.settings") };
}

/** Kratos' "You successfully recovered your account. Please change your password …" */
const RECOVERED = 1060001;

/** The core's (Olympus-only) info message after a password change that left other sessions signed in. */
const PASSWORD_CHANGED_OTHER_SESSIONS = 1050100;

const METHOD_NAMES: Record<string, MessageId> = {
  password: "method.password",
  totp: "method.totp",
  lookup_secret: "method.lookup_secret",
  code: "method.code",
  passkey: "method.passkey",
  webauthn: "method.webauthn",
  oidc: "method.oidc",
};

/** A session as a person recognises it: device and browser, where, when and how they signed in. */
function describe(
  session: Session,
  locale: Locale,
  t: Translate,
): { device: string; when: string; how?: string } {
  const device = session.devices?.[0];
  const agent = describeUserAgent(device?.user_agent) ?? t("sessions.unknown-browser");
  const where = device?.ip_address ? ` · ${device.ip_address}` : "";
  const at = session.authenticated_at ? new Date(session.authenticated_at) : undefined;
  const methods = sessionMethods(session.authentication_methods).map(({ method, provider }) =>
    Object.hasOwn(METHOD_NAMES, method)
      ? t(METHOD_NAMES[method] as MessageId, { provider: provider ?? "" })
      : method,
  );
  return {
    device: `${agent}${where}`,
    when: at ? t("sessions.signed-in-at", { time: formatDateTime(locale, at) }) : t("sessions.signed-in"),
    ...(methods.length ? { how: t("sessions.methods", { methods: methods.join(", ") }) } : {}),
  };
}

/** The OAuth2 clients the person allowed (consent sessions), newest first; none when the API fails. */
async function connectedApps(subject: string): Promise<OAuth2ConsentSession[]> {
  try {
    const list = await clients().oauth2.listOAuth2ConsentSessions({ subject });
    return [...list].sort((a, b) => String(b.handled_at ?? "").localeCompare(String(a.handled_at ?? "")));
  } catch {
    return [];
  }
}

export default async function SettingsPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const { locale, t } = await requestI18n();
  const flow = await loadFlow("settings", toSearchParams(await props.searchParams));
  const cookie = await browserCookie();
  const current = await currentSession(cookie);
  const others = current ? await clients(cookie).frontend.listMySessions({ cookie }) : [];
  const token = current ? formToken(env.csrfSecret, "sessions", current.id) : "";
  const appsToken = current ? formToken(env.csrfSecret, "apps", current.id) : "";
  const apps = current?.identity ? await connectedApps(current.identity.id) : [];
  const deletable = current ? await deletionOffered() : false;
  // The core says so (message 1050100) after a password change that left other sessions signed in.
  const passwordChanged = flow.ui.messages?.some((m) => m.id === PASSWORD_CHANGED_OTHER_SESSIONS) ?? false;
  const recovered = flow.ui.messages?.some((m) => m.id === RECOVERED) ?? false;
  return (
    <>
      {recovered ? (
        <section className="hera-notice hera-warn" role="status" aria-labelledby="recovered-title">
          <h2 id="recovered-title">{t("settings.recovered-title")}</h2>
          <p>{t("settings.recovered-body")}</p>
        </section>
      ) : null}
      {current && passwordChanged && others.length > 0 ? (
        <section className="hera-notice hera-warn" role="status" aria-labelledby="signout-others-title">
          <h2 id="signout-others-title">{t("sessions.password-changed-title")}</h2>
          <p>{t("sessions.password-changed-body", { count: others.length })}</p>
          <form method="post" action="/settings/sessions">
            <input type="hidden" name="csrf_token" value={token} />
            <input type="hidden" name="session_id" value="others" />
            <input type="hidden" name="flow" value={flow.id} />
            <SubmitButton pendingLabel={t("sessions.pending")}>
              {t("sessions.sign-out-everywhere")}
            </SubmitButton>
          </form>
        </section>
      ) : null}
      {current ? (
        <nav className="hera-card hera-wide hera-sections" aria-label={t("settings.nav")}>
          <a className="hera-link" href="#account">
            {t("settings.nav.account")}
          </a>
          <a className="hera-link" href="#sessions-title">
            {t("sessions.title")}
          </a>
          <a className="hera-link" href="#apps">
            {t("apps.title")}
          </a>
          {deletable ? (
            <a className="hera-link" href="#delete-title">
              {t("delete.title")}
            </a>
          ) : null}
        </nav>
      ) : null}
      <div id="account" />
      <FlowView ui={flow.ui} title={t("title.settings")} copy={copyFor(env, locale)}>
        <SettingsCard flow={flow} config={elementsConfig(env, locale)} />
      </FlowView>
      <PasswordRulesPanel t={t} />
      {current ? (
        <section className="hera-card hera-wide" aria-labelledby="sessions-title">
          <h2 id="sessions-title">{t("sessions.title")}</h2>
          <p>{t("sessions.intro")}</p>
          <ul className="hera-list">
            <li>
              <div>
                <strong>{t("sessions.this-device")}</strong>
                <div className="hera-meta">{describe(current, locale, t).device}</div>
                <div className="hera-meta">{describe(current, locale, t).when}</div>
                {describe(current, locale, t).how ? (
                  <div className="hera-meta">{describe(current, locale, t).how}</div>
                ) : null}
              </div>
            </li>
            {others.map((s) => (
              <li key={s.id} data-testid="other-session">
                <div>
                  <strong>{describe(s, locale, t).device}</strong>
                  <div className="hera-meta">{describe(s, locale, t).when}</div>
                  {describe(s, locale, t).how ? (
                    <div className="hera-meta">{describe(s, locale, t).how}</div>
                  ) : null}
                </div>
                <form method="post" action="/settings/sessions">
                  <input type="hidden" name="csrf_token" value={token} />
                  <input type="hidden" name="session_id" value={s.id} />
                  <input type="hidden" name="flow" value={flow.id} />
                  <SubmitButton
                    className="hera-button hera-secondary"
                    aria-label={t("sessions.sign-out-label", { device: describe(s, locale, t).device })}
                    pendingLabel={t("sessions.pending")}
                  >
                    {t("sessions.sign-out")}
                  </SubmitButton>
                </form>
              </li>
            ))}
          </ul>
          {others.length > 0 ? (
            <form method="post" action="/settings/sessions">
              <input type="hidden" name="csrf_token" value={token} />
              <input type="hidden" name="session_id" value="others" />
              <input type="hidden" name="flow" value={flow.id} />
              <SubmitButton className="hera-button hera-secondary" pendingLabel={t("sessions.pending")}>
                {t("sessions.sign-out-others")}
              </SubmitButton>
            </form>
          ) : (
            <p className="hera-meta">{t("sessions.none")}</p>
          )}
        </section>
      ) : null}
      {current ? (
        <section id="apps" className="hera-card hera-wide" aria-labelledby="apps-title">
          <h2 id="apps-title">{t("apps.title")}</h2>
          <p>{t("apps.intro")}</p>
          {apps.length ? (
            <ul className="hera-list">
              {apps.map((app) => {
                const client = app.consent_request?.client;
                const clientId = client?.client_id ?? "";
                const name = client?.client_name || clientId;
                const granted = app.handled_at ? new Date(app.handled_at) : undefined;
                const scopes = (app.grant_scope ?? []).map((scope) => describeScope(scope, t).title);
                return (
                  <li key={clientId} data-testid="connected-app">
                    <div>
                      <strong>{name}</strong>
                      {scopes.length ? (
                        <div className="hera-meta">{t("apps.scopes", { scopes: scopes.join(", ") })}</div>
                      ) : null}
                      {granted ? (
                        <div className="hera-meta">
                          {t("apps.granted", { time: formatDateTime(locale, granted) })}
                        </div>
                      ) : null}
                    </div>
                    <form method="post" action="/settings/apps">
                      <input type="hidden" name="csrf_token" value={appsToken} />
                      <input type="hidden" name="client_id" value={clientId} />
                      <input type="hidden" name="flow" value={flow.id} />
                      <SubmitButton
                        className="hera-button hera-secondary"
                        aria-label={t("apps.revoke-label", { app: name })}
                        pendingLabel={t("apps.pending")}
                      >
                        {t("apps.revoke")}
                      </SubmitButton>
                    </form>
                  </li>
                );
              })}
            </ul>
          ) : (
            <p className="hera-meta">{t("apps.none")}</p>
          )}
        </section>
      ) : null}
      {current && deletable ? (
        <section className="hera-card hera-wide" aria-labelledby="delete-title">
          <h2 id="delete-title">{t("delete.title")}</h2>
          <p>{t("delete.intro")}</p>
          <div className="hera-actions">
            <a
              className="hera-button hera-danger"
              href={`/settings/delete?flow=${encodeURIComponent(flow.id)}`}
            >
              {t("delete.start")}
            </a>
          </div>
        </section>
      ) : null}
      <p className="hera-meta">
        <a className="hera-link" href="/">
          {t("settings.back")}
        </a>
      </p>
    </>
  );
}
