import type { MessageId } from "./i18n";

/**
 * The plain-words explanation for an OAuth2 error code (RFC 6749 §4.1.2.1, OpenID Connect §3.1.2.6)
 * the core sent the browser here with. Codes that mean the same thing to a person share a text;
 * only a failure on our side advises trying again later — an unknown client stays unknown.
 */
const EXPLAINED: Record<string, MessageId> = {
  invalid_client: "oauth2error.invalid_client",
  invalid_request: "oauth2error.invalid_request",
  invalid_request_uri: "oauth2error.invalid_request",
  invalid_request_object: "oauth2error.invalid_request",
  request_not_supported: "oauth2error.invalid_request",
  request_uri_not_supported: "oauth2error.invalid_request",
  registration_not_supported: "oauth2error.invalid_request",
  unauthorized_client: "oauth2error.unauthorized_client",
  unsupported_response_type: "oauth2error.unauthorized_client",
  unsupported_grant_type: "oauth2error.unauthorized_client",
  request_forbidden: "oauth2error.unauthorized_client",
  invalid_scope: "oauth2error.invalid_scope",
  access_denied: "oauth2error.access_denied",
  consent_required: "oauth2error.login_required",
  login_required: "oauth2error.login_required",
  interaction_required: "oauth2error.login_required",
  account_selection_required: "oauth2error.login_required",
  server_error: "oauth2error.server_error",
  temporarily_unavailable: "oauth2error.temporarily_unavailable",
};

/** An error code as shown: the RFC's character set (%x20-21 / %x23-5B / %x5D-7E), at most 64 characters. */
function displayCode(code: string): string {
  const clean = code.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, "").trim();
  return clean.length > 64 ? `${clean.slice(0, 63)}…` : clean;
}

export interface ExplainedOAuth2Error {
  /** The code as it may be shown (hostile input: cleaned and bounded). */
  code: string;
  /** Our plain-words text for it. */
  message: MessageId;
  /** The core's technical description, bounded, when one came along. */
  details?: string;
}

/** The explanation of `?error=&error_description=` (both attacker-controlled query parameters). */
export function explainOAuth2Error(error: string, description: string | null): ExplainedOAuth2Error {
  const code = displayCode(error);
  const details = description?.trim().slice(0, 500);
  return {
    code: code || "unknown",
    message: EXPLAINED[code] ?? "oauth2error.other",
    ...(details ? { details } : {}),
  };
}
