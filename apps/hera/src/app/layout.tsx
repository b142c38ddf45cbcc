import "@ory/elements-react/theme/styles.css";
import "./globals.css";
import type { Metadata } from "next";
import type { CSSProperties, ReactNode } from "react";
import { heraEnv } from "@/lib/env";

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

export default function RootLayout({ children }: { children: ReactNode }) {
  const env = heraEnv();
  const brandStyle = {
    "--hera-accent": env.brand.accent,
    "--hera-accent-hover": env.brand.accentHover,
  } as CSSProperties;
  return (
    <html lang="en" data-domain={env.domain}>
      <body style={brandStyle}>
        <a className="hera-skip" href="#main">
          Skip to content
        </a>
        <header className="hera-header">
          <a className="hera-brand" href="/">
            {/* biome-ignore lint/performance/noImgElement: logos are arbitrary run-time URLs (client registrations, env); next/image would need every host allow-listed at build time */}
            {env.brand.logoUrl ? <img src={env.brand.logoUrl} alt="" width={28} height={28} /> : null}
            <span>{env.brand.name}</span>
          </a>
          {env.domain === "iam" ? <span className="hera-badge">Workforce</span> : null}
        </header>
        <main id="main" className="hera-main">
          {children}
        </main>
        <footer className="hera-footer">
          {env.domain === "iam"
            ? "For employees and operators. Access is monitored."
            : `Your ${env.brand.name} account`}
        </footer>
      </body>
    </html>
  );
}
