import { chromiumPath } from "@olympus/testkit";
import { startStack } from "./stack.ts";

/** Starts the CIAM stack once for every spec; its teardown stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  chromiumPath();
  const stack = await startStack();
  // Workers inherit the environment the global setup leaves behind.
  process.env.MAIL_API_URL = stack.mailApiUrl;
  process.env.SMS_API_URL = stack.smsApiUrl;
  return () => stack.stop();
}
