import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { startStack } from "./stack.ts";
import { TEST_SECRET_PASS, TEST_SITE_KEY } from "./turnstile.ts";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * The CIAM stack with Turnstile on, keyed with Cloudflare's documented test keys. The core verifies
 * tokens at a siteverify stand-in the spec starts on the port chosen here (SITEVERIFY_PORT).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    throw new Error(`No Chromium at ${chromium}: install Debian's chromium package or set CHROMIUM_PATH.`);
  }
  const port = await freePort();
  const stack = await startStack({
    name: "ciam-captcha",
    captcha: {
      siteKey: TEST_SITE_KEY,
      secretKey: TEST_SECRET_PASS,
      siteverifyUrl: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
    },
  });
  process.env.MAIL_API_URL = stack.mailApiUrl;
  process.env.SITEVERIFY_PORT = String(port);
  return () => stack.stop();
}
