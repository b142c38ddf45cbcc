import "server-only";
import type { OlympusPasswordPolicy } from "@olympus/sdk";
import { HttpError } from "../api";
import { core } from "./clients";

/**
 * The password policy is the identity core's (issue 16, finding 6): Athena keeps no rules of its own.
 * Its forms show the core's minimum length, and every password an administrator sets is checked by
 * the core first — the admin API stores imported passwords as given, as Kratos' does.
 */
export async function passwordPolicy(): Promise<OlympusPasswordPolicy> {
  return core().olympus.passwordPolicy();
}

/** Throws a 400 naming the core's reason when `password` does not meet the domain's policy. */
export async function assertPasswordAccepted(password: string, identifiers: string[]): Promise<void> {
  const check = await core().olympus.checkPassword(password, identifiers);
  if (check.valid) return;
  const message = check.messages[0]?.text ?? "The password does not meet the password policy.";
  throw new HttpError(400, "invalid_body", `password: ${message}`);
}
