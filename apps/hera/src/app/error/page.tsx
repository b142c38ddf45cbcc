import { Error as OryErrorView, type OryError } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { clients, currentSession, statusOf } from "@/lib/ory";
import { elementsConfig } from "@/lib/ui-config";
import type { Translate } from "@/lib/i18n";
import { requestI18n } from "@/lib/i18n/server";
import { explainOAuth2Error } from "@/lib/oauth2-error";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.error") };
}

/** The self-service error the core sent us here with (`?id=`). */
async function findError(params: URLSearchParams, t: Translate): Promise<OryError> {
  const id = params.get("id");
  if (id) {
    try {
      return await clients().frontend.getFlowError({ id });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      return { error: { code: 404, message: t("error.gone") } };
    }
  }
  return { error: { code: 404, message: t("error.nothing") } };
}

/**
 * An OAuth2 error (`?error=&error_description=`): what went wrong in plain words, the error code for
 * whoever helps the person, and the core's description folded away. Retrying is advised only where
 * it can help (our own failure), never for an unknown client.
 */
function OAuth2ErrorView(props: { error: string; description: string | null; t: Translate }) {
  const { t } = props;
  const e = explainOAuth2Error(props.error, props.description);
  return (
    <section className="hera-card" aria-labelledby="oauth2-error-title" data-testid="oauth2-error">
      <h1 id="oauth2-error-title">{t("title.error")}</h1>
      <p>{t(e.message)}</p>
      <p className="hera-meta" data-testid="oauth2-error-code">
        {t("oauth2error.code", { code: e.code })}
      </p>
      {e.details ? (
        <details className="hera-meta">
          <summary>{t("oauth2error.details")}</summary>
          <p>{e.details}</p>
        </details>
      ) : null}
    </section>
  );
}

export default async function ErrorPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const { locale, t } = await requestI18n();
  const params = toSearchParams(await props.searchParams);
  const oauth2 = params.get("error");
  const error = oauth2 ? undefined : await findError(params, t);
  const session = error ? await currentSession() : undefined;
  return (
    <>
      {oauth2 ? (
        <OAuth2ErrorView error={oauth2} description={params.get("error_description")} t={t} />
      ) : error ? (
        <OryErrorView error={error} config={elementsConfig(env, locale)} {...(session ? { session } : {})} />
      ) : null}
      <p className="hera-meta">
        <a className="hera-link" href="/login">
          {t("error.back")}
        </a>
      </p>
    </>
  );
}
