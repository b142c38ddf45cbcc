import { Error as OryErrorView, type OryError } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { clients, currentSession, statusOf } from "@/lib/ory";
import { elementsConfig } from "@/lib/ui-config";
import type { Translate } from "@/lib/i18n";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.error") };
}

/** The error the core (`?id=`) or the OAuth2 provider (`?error=&error_description=`) sent us here with. */
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
  const oauth2 = params.get("error");
  if (oauth2) {
    return {
      error: oauth2,
      error_description: params.get("error_description") ?? t("error.oauth2"),
    };
  }
  return { error: { code: 404, message: t("error.nothing") } };
}

export default async function ErrorPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const { locale, t } = await requestI18n();
  const error = await findError(toSearchParams(await props.searchParams), t);
  const session = await currentSession();
  return (
    <>
      <OryErrorView error={error} config={elementsConfig(env, locale)} {...(session ? { session } : {})} />
      <p className="hera-meta">
        <a className="hera-link" href="/login">
          {t("error.back")}
        </a>
      </p>
    </>
  );
}
