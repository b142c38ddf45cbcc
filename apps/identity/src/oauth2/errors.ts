/** RFC 6749 / 6750 / 7591 / OpenID Connect error codes this provider answers with. */
export type OAuth2ErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "unsupported_response_mode"
  | "invalid_scope"
  | "invalid_state"
  | "access_denied"
  | "server_error"
  | "temporarily_unavailable"
  | "login_required"
  | "consent_required"
  | "interaction_required"
  | "request_not_supported"
  | "request_uri_not_supported"
  | "request_forbidden"
  | "request_unauthorized"
  | "invalid_token"
  | "insufficient_scope"
  | "invalid_client_metadata"
  | "invalid_redirect_uri"
  | "authorization_pending"
  | "slow_down"
  | "expired_token"
  | "invalid_request_uri"
  | "invalid_request_object"
  | "invalid_dpop_proof"
  | "use_dpop_nonce"
  | "invalid_target"
  | "invalid_authorization_details"
  | "unmet_authentication_requirements";

// The descriptions fosite (Hydra's OAuth2 library) uses, so clients see familiar texts.
const DESCRIPTIONS: Record<OAuth2ErrorCode, [string, number]> = {
  invalid_request: [
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
    400,
  ],
  invalid_client: [
    "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
    401,
  ],
  invalid_grant: [
    "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
    400,
  ],
  unauthorized_client: ["The client is not authorized to request a token using this method.", 400],
  unsupported_grant_type: ["The authorization grant type is not supported by the authorization server.", 400],
  unsupported_response_type: [
    "The authorization server does not support obtaining a token using this method.",
    400,
  ],
  unsupported_response_mode: ["The authorization server does not support the requested response mode.", 400],
  invalid_scope: ["The requested scope is invalid, unknown, or malformed.", 400],
  invalid_state: [
    "The state is missing or does not have enough characters and is therefore considered too weak.",
    400,
  ],
  access_denied: ["The resource owner or authorization server denied the request.", 403],
  server_error: [
    "The authorization server encountered an unexpected condition that prevented it from fulfilling the request.",
    500,
  ],
  temporarily_unavailable: [
    "The authorization server is currently unable to handle the request due to a temporary overloading or maintenance of the server.",
    503,
  ],
  login_required: ["The Authorization Server requires End-User authentication.", 400],
  consent_required: ["The Authorization Server requires End-User consent.", 400],
  interaction_required: [
    "The Authorization Server requires End-User interaction of some form to proceed.",
    400,
  ],
  request_not_supported: ["The OP does not support use of the request parameter.", 400],
  request_uri_not_supported: ["The OP does not support use of the request_uri parameter.", 400],
  request_forbidden: ["The request is not allowed.", 403],
  request_unauthorized: [
    "The request could not be authorized. Check that you provided valid credentials in the right format.",
    401,
  ],
  invalid_token: [
    "The access token provided is expired, revoked, malformed, or invalid for other reasons.",
    401,
  ],
  insufficient_scope: ["The request requires higher privileges than provided by the access token.", 403],
  invalid_client_metadata: [
    "The value of one of the Client Metadata fields is invalid and the server has rejected this request. Note that an Authorization Server MAY choose to substitute a valid value for any requested parameter of a Client's Metadata.",
    400,
  ],
  invalid_redirect_uri: ["The value of one or more redirect_uris is invalid.", 400],
  authorization_pending: [
    "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps.",
    400,
  ],
  slow_down: [
    "The authorization request is still pending and polling should continue, but the interval MUST be increased by 5 seconds for this and all subsequent requests.",
    400,
  ],
  invalid_request_uri: [
    "The request_uri in the authorization request returns an error or contains invalid data.",
    400,
  ],
  invalid_request_object: ["The request parameter contains an invalid Request Object.", 400],
  invalid_dpop_proof: ["The DPoP proof is missing, malformed or invalid.", 400],
  use_dpop_nonce: ["The DPoP proof must carry the nonce the server provided in the DPoP-Nonce header.", 400],
  // RFC 8707 §2 / RFC 8693 §2.2.2.
  invalid_target: [
    "The requested resource is invalid, missing, unknown, or malformed, or the authorization server is unwilling to issue a token for it.",
    400,
  ],
  // OpenID Connect Core Error Code unmet_authentication_requirements 1.0 (an essential acr not met).
  unmet_authentication_requirements: [
    "The Authorization Server is unable to meet the requirements of the Relying Party for the authentication of the End-User.",
    400,
  ],
  // RFC 9396 §5.
  invalid_authorization_details: [
    "The authorization details are malformed, of an unknown type, or of a type the client may not use.",
    400,
  ],
  expired_token: ["The device_code has expired, and the device authorization session has concluded.", 400],
};

/** The one error type of the OAuth2 side; `toBody()` is the RFC 6749 shape `{error, error_description}`. */
export class OAuth2Error extends Error {
  override name = "OAuth2Error";
  readonly error: OAuth2ErrorCode;
  readonly status: number;
  readonly hint: string | undefined;
  readonly debug: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    error: OAuth2ErrorCode,
    hint?: string,
    opts: { status?: number; debug?: string; headers?: Record<string, string> } = {},
  ) {
    const [description, status] = DESCRIPTIONS[error];
    super(hint ? `${description} ${hint}` : description);
    this.error = error;
    this.hint = hint;
    this.status = opts.status ?? status;
    this.debug = opts.debug;
    this.headers = opts.headers ?? {};
  }

  /** The full description: the standard text followed by the hint. */
  get description(): string {
    return this.message;
  }

  toBody(exposeDebug = false): Record<string, unknown> {
    return {
      error: this.error,
      error_description: this.description,
      ...(exposeDebug && this.debug ? { error_debug: this.debug } : {}),
    };
  }

  /** The error as query/fragment/form parameters of a redirect to the client. */
  toParams(): Record<string, string> {
    return {
      error: this.error,
      error_description: this.description,
      ...(this.hint ? { error_hint: this.hint } : {}),
    };
  }
}

export const oauth2Error = (
  error: OAuth2ErrorCode,
  hint?: string,
  opts?: { status?: number; debug?: string; headers?: Record<string, string> },
) => new OAuth2Error(error, hint, opts);
