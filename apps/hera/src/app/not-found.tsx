import type { Metadata } from "next";
import { requestI18n } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await requestI18n();
  return { title: t("title.not-found") };
}

/** Hera's 404 (unknown paths, and pages switched off for the domain): in the page's language, with a way back. */
export default async function NotFound() {
  const { t } = await requestI18n();
  return (
    <section className="hera-card" aria-labelledby="title">
      <h1 id="title">{t("title.not-found")}</h1>
      <p>{t("notfound.body")}</p>
      <div className="hera-actions">
        <a className="hera-button" href="/">
          {t("notfound.home")}
        </a>
        <a className="hera-button hera-secondary" href="/login">
          {t("logout.sign-in")}
        </a>
      </div>
    </section>
  );
}
