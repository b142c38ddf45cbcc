import { Recovery } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.recovery") };
}

export default async function RecoveryPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  if (!env.recoveryEnabled) notFound();
  const flow = await loadFlow("recovery", toSearchParams(await props.searchParams));
  const { locale, t } = await requestI18n();
  return (
    <>
      <FlowView ui={flow.ui} title={t("title.recovery")} copy={copyFor(env, locale)}>
        <Recovery flow={flow} config={elementsConfig(env, locale)} />
      </FlowView>
      <p className="hera-meta">
        {t("recovery.remembered")}{" "}
        <a className="hera-link" href="/login">
          {t("recovery.back")}
        </a>
      </p>
    </>
  );
}
