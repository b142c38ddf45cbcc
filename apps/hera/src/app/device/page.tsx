import type { Metadata } from "next";
import { SubmitButton } from "@/components/submit-button";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { formToken } from "@/lib/form-token";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("device.title") };
}

/**
 * The device flow's user-code page (RFC 8628; the OAuth2 provider's `urls.device.verification`): the
 * provider sends the browser here with a `device_challenge` (and the `user_code` when the device's
 * link carried it); the user types or confirms the code shown on the device.
 */
export default async function DevicePage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const { t } = await requestI18n();
  const params = toSearchParams(await props.searchParams);
  const challenge = params.get("device_challenge");
  if (!challenge || challenge.length > 4096) {
    return (
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">{t("device.title")}</h1>
        <p>{t("device.open-address")}</p>
      </section>
    );
  }
  const userCode = (params.get("user_code") ?? "").slice(0, 64);
  const invalid = params.get("error") === "invalid_code";
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">{t("device.title")}</h1>
      <p>{userCode ? t("device.check-code") : t("device.enter-code")}</p>
      <form method="post" action="/device/submit" className="hera-card-form">
        <input type="hidden" name="device_challenge" value={challenge} />
        <input type="hidden" name="csrf_token" value={formToken(env.csrfSecret, "device", challenge)} />
        <label className="hera-field">
          <span>{t("device.code-label")}</span>
          <input
            name="user_code"
            defaultValue={userCode}
            required
            maxLength={64}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            aria-invalid={invalid || undefined}
            aria-describedby={invalid ? "code-error" : undefined}
          />
        </label>
        {invalid ? (
          <p id="code-error" className="hera-message hera-message-error" role="alert">
            {t("device.invalid")}
          </p>
        ) : null}
        <div className="hera-actions">
          <SubmitButton pendingLabel={t("form.pending")}>{t("form.continue")}</SubmitButton>
        </div>
      </form>
    </section>
  );
}
