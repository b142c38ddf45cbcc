import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";
import { staticSecurityHeaders } from "./src/lib/security/headers";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "../..");

const nextConfig: NextConfig = {
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
  // The standalone output mirrors the monorepo (apps/site/server.js), so ../../docs from the Site's
  // folder is the docs copied in below — the same relative path as in the repository.
  outputFileTracingRoot: repoRoot,
  outputFileTracingIncludes: {
    "/**/*": ["../../docs/**/*"],
  },
  turbopack: { root: repoRoot },
  async headers() {
    return [{ source: "/:path*", headers: staticSecurityHeaders }];
  },
};

export default nextConfig;
