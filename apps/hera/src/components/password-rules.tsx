import "server-only";
import { clients } from "@/lib/ory";
import { DEFAULT_RULES, type PasswordRules } from "@/lib/password-strength";
import type { Translate } from "@/lib/i18n";
import { PasswordStrength } from "./password-strength";

/** The core's rules (it is the authority on the password policy), or its defaults when unreachable. */
async function rulesFromCore(): Promise<PasswordRules> {
  try {
    const p = await clients().olympus.passwordPolicy();
    return { minLength: p.min_length, minScore: p.min_score, scoredLength: p.scored_length };
  } catch {
    return DEFAULT_RULES;
  }
}

/** Server part of the strength meter: reads the policy and the texts, the client part follows the field. */
export async function PasswordRulesPanel({ t }: { t: Translate }) {
  const rules = await rulesFromCore();
  return (
    <PasswordStrength
      rules={rules}
      labels={{
        title: t("password.rules.title"),
        length: t("password.rules.length", { min: rules.minLength }),
        guessable: t("password.rules.guessable"),
        meter: t("password.strength.label"),
        levels: [
          t("password.strength.0"),
          t("password.strength.1"),
          t("password.strength.2"),
          t("password.strength.3"),
          t("password.strength.4"),
        ],
      }}
    />
  );
}
