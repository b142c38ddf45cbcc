import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { RegistrationCard } from "@/components/flow-cards";
import { FlowView } from "@/components/flow-view";
import { PasswordRulesPanel } from "@/components/password-rules";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.registration") };
}

export default async function RegistrationPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  // IAM has no self sign-up: accounts are created by administrators.
  if (!env.registrationEnabled) notFound();
  const flow = await loadFlow("registration", toSearchParams(await props.searchParams));
  const { locale, t } = await requestI18n();
  return (
    <>
      {env.verificationEnabled ? <p className="hera-notice">{t("registration.notice")}</p> : null}
      <FlowView ui={flow.ui} title={t("title.registration")} copy={copyFor(env, locale)}>
        <RegistrationCard flow={flow} config={elementsConfig(env, locale)} />
      </FlowView>
      <PasswordRulesPanel t={t} />
    </>
  );
}
