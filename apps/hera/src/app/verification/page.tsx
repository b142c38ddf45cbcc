import { Verification } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";
import { requestI18n } from "@/lib/i18n/server";
import { browserCookie } from "@/lib/ory";
import { hintFromCookieHeader, prefillEmail } from "@/lib/verify-hint";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.verification") };
}

export default async function VerificationPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  if (!env.verificationEnabled) notFound();
  const loaded = await loadFlow("verification", toSearchParams(await props.searchParams));
  // Sent here from "Account not active yet" at sign-in: the address is filled in already.
  const hint = loaded.state === "choose_method" ? hintFromCookieHeader(await browserCookie()) : undefined;
  const flow = hint
    ? { ...loaded, ui: { ...loaded.ui, nodes: prefillEmail(loaded.ui.nodes, hint) } }
    : loaded;
  const { locale, t } = await requestI18n();
  return (
    <>
      {flow.state === "sent_email" ? (
        <p className="hera-notice hera-verify-notice" role="status">
          {t("verification.sent")}
        </p>
      ) : null}
      <FlowView ui={flow.ui} title={t("title.verification")} copy={copyFor(env, locale)}>
        <Verification flow={flow} config={elementsConfig(env, locale)} />
      </FlowView>
    </>
  );
}
