import { chromiumPath, freePort } from "@olympus/testkit";
import { startStack } from "./stack.ts";
import { TEST_SECRET_PASS, TEST_SITE_KEY } from "./turnstile.ts";

/**
 * The CIAM stack with Turnstile on, keyed with Cloudflare's documented test keys. The core verifies
 * tokens at a siteverify stand-in the spec starts on the port chosen here (SITEVERIFY_PORT).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  chromiumPath();
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
