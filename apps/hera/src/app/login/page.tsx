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
import { ADDRESS_NOT_VERIFIED, emailHint } from "@/lib/verify-hint";

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
      {unverified ? (
        <section className="hera-notice hera-warn" role="status" aria-labelledby="unverified-title">
          <h2 id="unverified-title">{t("login.unverified-title")}</h2>
          <p>{t("login.unverified-body")}</p>
          <form method="post" action="/verification/resend">
            {address ? <input type="hidden" name="email" value={address} /> : null}
            <button type="submit" className="hera-button">
              {t("login.unverified-resend")}
            </button>
          </form>
        </section>
      ) : null}
      <FlowView ui={flow.ui} title={t("title.login")} copy={copyFor(env, locale)}>
        <Login flow={flow} config={elementsConfig(env, locale)} />
      </FlowView>
    </>
  );
}
