import { Login } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { resolveLoginChallenge } from "@/lib/oauth2";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.login") };
}

export default async function LoginPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = toSearchParams(await props.searchParams);
  const challenge = params.get("login_challenge");
  // An OAuth2 login request without a flow yet: a live session answers it at once.
  if (challenge && !params.get("flow")) redirect(await resolveLoginChallenge(challenge, params));
  const flow = await loadFlow("login", params);
  const env = heraEnv();
  const { locale, t } = await requestI18n();
  return (
    <FlowView ui={flow.ui} title={t("title.login")} copy={copyFor(env, locale)}>
      <Login flow={flow} config={elementsConfig(env, locale)} />
    </FlowView>
  );
}
