import { chromiumPath } from "@olympus/testkit";
import { startStack } from "./stack.ts";

/** The CIAM stack with self-service account deletion off in the core. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  chromiumPath();
  const stack = await startStack({
    name: "ciam-no-account-deletion",
    coreEnv: { SELFSERVICE_FLOWS_SETTINGS_DELETE_ACCOUNT_ENABLED: "false" },
  });
  process.env.MAIL_API_URL = stack.mailApiUrl;
  process.env.SMS_API_URL = stack.smsApiUrl;
  return () => stack.stop();
}
