import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { athenaEnv } from "@/lib/env";
import "./globals.css";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const { domain } = athenaEnv();
  return {
    title: { default: `Athena ${domain.toUpperCase()}`, template: `%s · Athena ${domain.toUpperCase()}` },
    robots: { index: false, follow: false },
  };
}

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  const { domain } = athenaEnv();
  return (
    <html lang="en" data-domain={domain}>
      <body>{children}</body>
    </html>
  );
}
