import type { UiText } from "../flow/text.ts";

const info = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "info", context } : { id, text, type: "info" };
const error = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "error", context } : { id, text, type: "error" };

/** The `code` method's UI messages, by Kratos message id (Olympus-only ids are 4000120 and up). */
export const codeText = {
  loginCodeSent: () =>
    info(
      1010014,
      "A code was sent to the address you provided. If you didn't receive it, please check the spelling of the address and try again.",
    ),
  loginSendCode: () => info(1010015, "Send sign in code"),
  loginCodeMfa: () => info(1010019, "Request code to continue"),
  aal2Address: (channel: string, address: string) =>
    info(1010023, `Send code to ${address}`, { address, channel }),
  registrationCodeSent: () =>
    info(
      1040005,
      "An email containing a code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and retry the registration.",
    ),
  registrationSendCode: () => info(1040006, "Send sign up code"),
  labelResendCode: () => info(1070008, "Resend code"),
  labelContinue: () => info(1070009, "Continue"),
  labelRegistrationCode: () => info(1070012, "Registration code"),
  labelLoginCode: () => info(1070013, "Login code"),
  loginCodeInvalid: () =>
    error(4010008, "The login code is invalid or has already been used. Please try again."),
  addressUnknown: () =>
    error(4010010, "The address you entered does not match any known addresses in the current account."),
  registrationCodeInvalid: () =>
    error(4040003, "The registration code is invalid or has already been used. Please try again."),
  noCodeIdentifier: () =>
    error(
      4000001,
      "No address to send a code to was found. Did you forget to mark one with credentials.code.identifier in the identity schema?",
      {
        reason:
          "No address to send a code to was found. Did you forget to mark one with credentials.code.identifier in the identity schema?",
      },
    ),
  /** Olympus-only: a resend before the cool-down ended sends nothing. */
  resendCooldown: (seconds: number) =>
    error(4000120, `Please wait ${seconds} seconds before requesting another code.`, {
      retry_after_seconds: seconds,
    }),
  /** Olympus-only: a flow sends at most this many codes; a new flow starts over. */
  tooManyCodes: () => error(4000121, "Too many codes were requested in this flow. Please start again.", {}),
};
