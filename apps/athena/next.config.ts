import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const root = fileURLToPath(new URL("../..", import.meta.url));

const config: NextConfig = {
  output: "standalone",
  // The workspace root, so the standalone output traces workspace packages (@olympus/sdk).
  outputFileTracingRoot: root,
  turbopack: { root },
  // @olympus/sdk ships TypeScript sources.
  transpilePackages: ["@olympus/sdk"],
  poweredByHeader: false,
  reactStrictMode: true,
  // Static assets get the headers pages get from the proxy (minus the per-request CSP).
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default config;
