import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Olympus — open-source identity platform", template: "%s · Olympus" },
  description:
    "Olympus is a self-hosted identity platform: two independent identity domains (CIAM and IAM), Ory Kratos and Hydra compatible APIs, login UI, admin dashboard.",
};

export const viewport: Viewport = { themeColor: "#0f172a" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request headers makes every page dynamic, which a per-request CSP nonce requires
  // (Next takes the nonce for its own scripts from the request's Content-Security-Policy header).
  await headers();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <nav aria-label="Main" className="container nav">
            <Link href="/" className="brand">
              <span aria-hidden="true" className="brand-mark">
                Ω
              </span>
              Olympus
            </Link>
            <ul>
              <li>
                <Link href="/docs">Docs</Link>
              </li>
              <li>
                <Link href="/playground">Playground</Link>
              </li>
              <li>
                <Link href="/docs/getting-started">Get started</Link>
              </li>
            </ul>
          </nav>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <footer className="site-footer">
          <div className="container">
            Olympus is open source under the Apache-2.0 licence. Ory Kratos and Ory Hydra compatible APIs; not
            affiliated with Ory.
          </div>
        </footer>
      </body>
    </html>
  );
}
