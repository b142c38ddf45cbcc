import { accessSync, constants } from "node:fs";
import { startStack } from "./stack.ts";

/** Starts the CIAM stack once for every spec; its teardown stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const chromium = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    throw new Error(`No Chromium at ${chromium}: install Debian's chromium package or set CHROMIUM_PATH.`);
  }
  const stack = await startStack();
  // Workers inherit the environment the global setup leaves behind.
  process.env.MAIL_API_URL = stack.mailApiUrl;
  return () => stack.stop();
}
