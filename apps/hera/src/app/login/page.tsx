import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { resolveLoginChallenge } from "@/lib/oauth2";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";
import { LoginCard } from "@/components/login-card";
import { requestI18n } from "@/lib/i18n/server";
import { ADDRESS_NOT_VERIFIED, emailHint, RESEND_FORM_ID } from "@/lib/verify-hint";

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
  // "Account not active yet": not a dead end — offer the verification it is waiting for.
  const unverified =
    env.verificationEnabled && (flow.ui.messages ?? []).some((m) => m.id === ADDRESS_NOT_VERIFIED);
  const identifier = flow.ui.nodes.find(
    (n) => n.attributes.node_type === "input" && n.attributes.name === "identifier",
  )?.attributes;
  const address = identifier && "value" in identifier ? emailHint(identifier.value) : undefined;
  return (
    <>
      {/* What "send me a verification code" submits (with the identifier as the button's value). */}
      {env.verificationEnabled ? (
        <form id={RESEND_FORM_ID} method="post" action="/verification/resend" hidden />
      ) : null}
      {unverified ? (
        // Without JavaScript the plain form below shows the message; this offers the way out there.
        <noscript>
          <section className="hera-notice hera-warn" role="status">
            <h2>{t("login.unverified-title")}</h2>
            <p>{t("login.unverified-body")}</p>
            <button
              type="submit"
              form={RESEND_FORM_ID}
              name="email"
              value={address ?? ""}
              className="hera-button"
            >
              {t("login.unverified-resend")}
            </button>
          </section>
        </noscript>
      ) : null}
      <FlowView ui={flow.ui} title={t("title.login")} copy={copyFor(env, locale)}>
        <LoginCard
          flow={flow}
          config={elementsConfig(env, locale)}
          resendLabel={env.verificationEnabled ? t("login.unverified-resend") : ""}
        />
      </FlowView>
    </>
  );
}
