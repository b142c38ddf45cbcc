import "@ory/elements-react/theme/styles.css";
import "./globals.css";
import type { Metadata } from "next";
import type { CSSProperties, ReactNode } from "react";
import { LanguagePicker } from "@/components/language-picker";
import { heraEnv } from "@/lib/env";
import { requestI18n } from "@/lib/i18n/server";

// Every page depends on the request (cookies, flow ids) and on the run-time environment: one build
// serves both domains, so nothing may be prerendered with build-time values.
export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const env = heraEnv();
  return {
    title: { default: env.brand.name, template: `%s · ${env.brand.name}` },
    robots: { index: false, follow: false },
    referrer: "strict-origin-when-cross-origin",
  };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const env = heraEnv();
  const { locale, t } = await requestI18n();
  const brandStyle = {
    "--hera-accent": env.brand.accent,
    "--hera-accent-hover": env.brand.accentHover,
  } as CSSProperties;
  return (
    <html lang={locale} data-domain={env.domain}>
      <body style={brandStyle}>
        <a className="hera-skip" href="#main">
          {t("layout.skip")}
        </a>
        <header className="hera-header">
          <a className="hera-brand" href="/">
            {/* biome-ignore lint/performance/noImgElement: logos are arbitrary run-time URLs (client registrations, env); next/image would need every host allow-listed at build time */}
            {env.brand.logoUrl ? <img src={env.brand.logoUrl} alt="" width={28} height={28} /> : null}
            <span>{env.brand.name}</span>
          </a>
          {env.domain === "iam" ? <span className="hera-badge">{t("layout.workforce")}</span> : null}
        </header>
        <main id="main" className="hera-main">
          {children}
        </main>
        <footer className="hera-footer">
          <p>
            {env.domain === "iam"
              ? t("layout.footer.iam")
              : t("layout.footer.ciam", { brand: env.brand.name })}
          </p>
          <LanguagePicker locale={locale} label={t("layout.language")} />
        </footer>
      </body>
    </html>
  );
}
