import type { Metadata } from "next";
import { toSearchParams } from "@/lib/flow-urls";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.device-done") };
}

/** Where the OAuth2 provider ends a device flow (`urls.device.success`), with `error` when it was refused. */
export default async function DeviceSuccessPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = toSearchParams(await props.searchParams);
  const { t } = await requestI18n();
  if (params.get("error")) {
    return (
      <section className="hera-card" aria-labelledby="title">
        <h1 id="title">{t("device.denied-title")}</h1>
        <p>{t("device.denied-body")}</p>
      </section>
    );
  }
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">{t("device.done-title")}</h1>
      <p>{t("device.done-body")}</p>
    </section>
  );
}
