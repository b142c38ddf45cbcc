/** A UI message as Kratos sends it: a stable numeric id, English text, and context for translation. */
export interface UiText {
  id: number;
  text: string;
  type: "info" | "error" | "success";
  context?: Record<string, unknown>;
}

const info = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "info", context } : { id, text, type: "info" };
const error = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "error", context } : { id, text, type: "error" };
const success = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "success", context } : { id, text, type: "success" };

function minutesAgo(expiredAt: Date): string {
  return ((Date.now() - expiredAt.getTime()) / 60_000).toFixed(2);
}

/** The message catalogue, by Kratos message id. */
export const text = {
  // Login 10100xx
  loginReAuth: () => info(1010003, "Please confirm this action by verifying that it is you."),
  loginPassword: () => info(1010022, "Sign in with password"),
  // Registration 10400xx
  registrationSignUp: () => info(1040001, "Sign up"),
  registrationBack: () => info(1040008, "Back"),
  registrationChooseCredentials: () =>
    info(1040009, "Please choose a credential to authenticate yourself with."),
  // Settings 10500xx
  settingsSaved: () => success(1050001, "Your changes have been saved!"),
  /** Olympus-only: after a password change that left other sessions signed in (UIs offer to end them). */
  passwordChangedOtherSessions: (count: number) =>
    info(
      1050100,
      `Your password was changed. You are still signed in on ${count} other ${count === 1 ? "session" : "sessions"}; sign out everywhere else if you did not start them all.`,
      { other_sessions: count },
    ),
  // Recovery 10600xx
  recoverySuccessful: (privilegedUntil: Date) =>
    success(
      1060001,
      `You successfully recovered your account. Please change your password or set up an alternative login method (e.g. social sign in) within the next ${Math.max(0, (privilegedUntil.getTime() - Date.now()) / 60_000).toFixed(2)} minutes.`,
      {
        privileged_session_expires_at: privilegedUntil.toISOString(),
        privileged_session_expires_at_unix: Math.floor(privilegedUntil.getTime() / 1000),
      },
    ),
  recoveryCodeSent: () =>
    info(
      1060003,
      "An email containing a recovery code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.",
    ),
  // Node labels 10700xx
  labelPassword: () => info(1070001, "Password"),
  labelGenerated: (title: string, name: string) => info(1070002, title, { title, name }),
  labelSave: () => info(1070003, "Save"),
  labelId: () => info(1070004, "ID"),
  labelSubmit: () => info(1070005, "Submit"),
  labelVerifyCode: () => info(1070006, "Verify code"),
  labelEmail: () => info(1070007, "Email"),
  labelResendCode: () => info(1070008, "Resend code"),
  labelContinue: () => info(1070009, "Continue"),
  labelRecoveryCode: () => info(1070010, "Recovery code"),
  labelVerificationCode: () => info(1070011, "Verification code"),
  // Verification 10800xx
  verificationCodeSent: () =>
    info(
      1080003,
      "An email containing a verification code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.",
    ),
  verificationSuccessful: () => success(1080002, "You successfully verified your email address."),
  // Validation 40000xx
  validationGeneric: (reason: string) => error(4000001, reason, { reason }),
  validationRequired: (property: string) => error(4000002, `Property ${property} is missing.`, { property }),
  validationMinLength: (min: number, actual: number) =>
    error(4000003, `length must be >= ${min}, but got ${actual}`, { min_length: min, actual_length: actual }),
  validationPattern: (pattern: string) => error(4000004, `does not match pattern "${pattern}"`, { pattern }),
  validationPasswordPolicy: (reason: string) =>
    error(4000005, `The password can not be used because ${reason}.`, { reason }),
  invalidCredentials: () =>
    error(
      4000006,
      "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.",
    ),
  duplicateCredentials: () =>
    error(4000007, "An account with the same identifier (email, phone, username, ...) exists already."),
  addressNotVerified: () =>
    error(4000010, "Account not active yet. Did you forget to verify your email address?"),
  validationMaxLength: (max: number, actual: number) =>
    error(4000017, `length must be <= ${max}, but got ${actual}`, { max_length: max, actual_length: actual }),
  validationInvalidType: (allowed: string, actual: string) =>
    error(4000026, `expected ${allowed}, but got ${actual}`, {
      allowed_types: [allowed],
      actual_type: actual,
    }),
  passwordTooSimilar: () =>
    error(4000031, "The password can not be used because it is too similar to the identifier."),
  passwordTooShort: (min: number, actual: number) =>
    error(4000032, `The password must be at least ${min} characters long, but got ${actual}.`, {
      min_length: min,
      actual_length: actual,
    }),
  passwordTooLong: (max: number, actual: number) =>
    error(4000033, `The password must be at most ${max} characters long, but got ${actual}.`, {
      max_length: max,
      actual_length: actual,
    }),
  passwordBreached: (breaches: number) =>
    error(4000034, "The password has been found in data breaches and must no longer be used.", { breaches }),
  passwordSameAsOld: () => error(4000039, "The new password must be different from the old password."),
  invalidEmail: (value: string) => error(4000040, `"${value}" is not valid "email"`, { value }),
  /** Olympus-only: a second factor or another address needs every address of the account verified. */
  verifyAddressFirst: (addresses: string[]) =>
    error(
      4000110,
      `Please verify ${addresses.join(", ")} before adding a second factor or another address to this account.`,
      { addresses },
    ),
  // Flow errors
  loginExpired: (expiredAt: Date) =>
    error(4010001, `The login flow expired ${minutesAgo(expiredAt)} minutes ago, please try again.`, {
      expired_at: expiredAt.toISOString(),
      expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
    }),
  settingsNoStrategy: () =>
    error(4010004, "Could not find a strategy to update your settings. Did you fill out the form correctly?"),
  recoveryNoStrategy: () =>
    error(
      4010005,
      "Could not find a strategy to recover your account with. Did you fill out the form correctly?",
    ),
  verificationNoStrategy: () =>
    error(
      4010006,
      "Could not find a strategy to verify your account with. Did you fill out the form correctly?",
    ),
  accountDisabled: () => error(4010011, "Your account is disabled. Please contact support."),
  registrationExpired: (expiredAt: Date) =>
    error(4040001, `The registration flow expired ${minutesAgo(expiredAt)} minutes ago, please try again.`, {
      expired_at: expiredAt.toISOString(),
      expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
    }),
  settingsExpired: (expiredAt: Date) =>
    error(4050001, `The settings flow expired ${minutesAgo(expiredAt)} minutes ago, please try again.`, {
      expired_at: expiredAt.toISOString(),
      expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
    }),
  recoveryAlreadyCompleted: () =>
    error(4060001, "The request was already completed successfully and can not be retried."),
  recoveryStateFailure: () =>
    error(4060002, "The recovery flow reached a failure state and must be retried."),
  recoveryTokenInvalid: () =>
    error(4060004, "The recovery token is invalid or has already been used. Please retry the flow."),
  recoveryExpired: (expiredAt: Date) =>
    error(4060005, `The recovery flow expired ${minutesAgo(expiredAt)} minutes ago, please try again.`, {
      expired_at: expiredAt.toISOString(),
      expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
    }),
  recoveryCodeInvalid: () =>
    error(4060006, "The recovery code is invalid or has already been used. Please try again."),
  /** Olympus: a recovery link opened in a browser other than the one that asked for the code. */
  recoveryLinkOtherBrowser: () =>
    error(
      4060900,
      "This recovery link works only in the browser where you asked for it. Open it there, or enter the code from the email in that browser.",
    ),
  verificationAlreadyCompleted: () =>
    error(4070001, "The request was already completed successfully and can not be retried."),
  verificationExpired: (expiredAt: Date) =>
    error(4070005, `The verification flow expired ${minutesAgo(expiredAt)} minutes ago, please try again.`, {
      expired_at: expiredAt.toISOString(),
      expired_at_unix: Math.floor(expiredAt.getTime() / 1000),
    }),
  verificationCodeInvalid: () =>
    error(4070006, "The verification code is invalid or has already been used. Please try again."),
  tooManyAttempts: () =>
    error(4000001, "The request was submitted too often. Please request another code.", {
      reason: "The request was submitted too often. Please request another code.",
    }),
};
