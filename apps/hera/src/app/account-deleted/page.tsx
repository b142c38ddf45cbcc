import type { Metadata } from "next";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.account-deleted") };
}

/** Where the core sends the browser once a person deleted their own account. */
export default async function AccountDeletedPage() {
  const { t } = await requestI18n();
  return (
    <section className="hera-card" aria-labelledby="deleted-title">
      <h1 id="deleted-title">{t("deleted.title")}</h1>
      <p>{t("deleted.body")}</p>
      <div className="hera-actions">
        <a className="hera-button hera-secondary" href="/">
          {t("deleted.home")}
        </a>
      </div>
    </section>
  );
}
