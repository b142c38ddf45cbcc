import { chromiumPath } from "@olympus/testkit";
import { startStack } from "./stack.ts";

/** The CIAM stack with an 8-second privileged window: an older sign-in must be repeated before deleting. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  chromiumPath();
  const stack = await startStack({
    name: "ciam-delete-reauth",
    coreEnv: { SELFSERVICE_FLOWS_SETTINGS_PRIVILEGED_SESSION_MAX_AGE: "8s" },
  });
  process.env.MAIL_API_URL = stack.mailApiUrl;
  process.env.SMS_API_URL = stack.smsApiUrl;
  return () => stack.stop();
}
