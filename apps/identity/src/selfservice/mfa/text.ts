import type { UiText } from "../flow/text.ts";

/** Kratos' messages for second factors (ids and texts from Kratos' text package). */

const info = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "info", context } : { id, text, type: "info" };
const error = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "error", context } : { id, text, type: "error" };

export const mfaText = {
  // Login
  loginMfa: () => info(1010004, "Please complete the second authentication challenge."),
  loginTotpLabel: () => info(1010006, "Authentication code"),
  loginLookupLabel: () => info(1010007, "Backup recovery code"),
  loginUseTotp: () => info(1010009, "Use Authenticator"),
  loginUseLookup: () => info(1010010, "Use backup recovery code"),
  // Settings
  unlinkTotp: () => info(1050004, "Unlink TOTP Authenticator App"),
  totpQrCode: () => info(1050005, "Authenticator app QR code"),
  totpSecret: (secret: string) => info(1050006, secret, { secret }),
  revealLookup: () => info(1050007, "Reveal backup recovery codes"),
  regenerateLookup: () => info(1050008, "Generate new backup recovery codes"),
  lookupSecret: (secret: string) => info(1050009, secret, { secret }),
  lookupSecretsLabel: () =>
    info(1050010, "These are your back up recovery codes. Please keep them in a safe place!"),
  confirmLookup: () => info(1050011, "Confirm backup recovery codes"),
  lookupSecretUsed: (usedAt: Date) =>
    info(1050014, `Secret was used at ${usedAt.toISOString()}`, {
      used_at: usedAt.toISOString(),
      used_at_unix: Math.floor(usedAt.getTime() / 1000),
    }),
  lookupSecretList: (items: UiText[]) =>
    info(1050015, items.map((i) => i.text).join(", "), { secrets: items }),
  disableLookup: () => info(1050016, "Disable this method"),
  totpSecretLabel: () =>
    info(1050017, "This is your authenticator app secret. Use it if you can not scan the QR code."),
  labelVerifyCode: () => info(1070006, "Verify code"),
  labelSave: () => info(1070003, "Save"),
  // Validation
  required: (property: string) => error(4000002, `Property ${property} is missing.`, { property }),
  totpInvalid: () => error(4000008, "The provided authentication code is invalid, please try again."),
  noTotp: () => error(4000011, "You have no TOTP device set up."),
  lookupUsed: () => error(4000012, "This backup recovery code has already been used."),
  noLookup: () => error(4000014, "You have no backup recovery codes set up."),
  lookupInvalid: () => error(4000016, "The backup recovery code is not valid."),
  noStrategy: (method: string) =>
    error(
      4010002,
      `Could not find a strategy to log you in with "${method}". Did you fill out the form correctly?`,
    ),
  noMethods: () => error(5000002, "No authentication methods are available for this request."),
  generic: (reason: string) => error(4000001, reason, { reason }),
};
