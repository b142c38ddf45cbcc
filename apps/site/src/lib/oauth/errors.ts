/** An error as the playground shows it: plain words first, then the raw protocol error. */
export interface ExplainedError {
  /** The OAuth2 error code, or a playground code (state_mismatch, flow_missing, …). */
  code: string;
  title: string;
  explanation: string;
  /** What to do next. */
  hint: string;
  /** The raw error exactly as received (query parameters or response body). */
  raw?: unknown;
}

const catalogue: Record<string, Omit<ExplainedError, "code" | "raw">> = {
  access_denied: {
    title: "Access was denied",
    explanation:
      "The authorization server answered access_denied: the user refused the consent screen, or the login or consent was rejected (for example by Hera on the user's behalf).",
    hint: "Start again and accept the consent screen.",
  },
  login_required: {
    title: "Sign-in required",
    explanation:
      "The request asked for no user interaction (prompt=none) but there is no signed-in session at the identity provider, so it cannot answer silently.",
    hint: "Start again without prompt=none, or sign in first.",
  },
  consent_required: {
    title: "Consent required",
    explanation:
      "The request asked for no user interaction (prompt=none) but this client has no remembered consent for the requested scopes.",
    hint: "Start again without prompt=none and accept the consent screen once.",
  },
  interaction_required: {
    title: "Interaction required",
    explanation:
      "The identity provider needs the user to do something, but the request asked it not to ask (prompt=none).",
    hint: "Start again without prompt=none.",
  },
  invalid_grant: {
    title: "The code could not be exchanged",
    explanation:
      "The token endpoint refused the grant: an authorization code can be redeemed only once and only for a few minutes, and only with the PKCE verifier and redirect URI of its own request. A reused, expired or foreign code, a wrong verifier or a revoked refresh token all end here.",
    hint: "Start a new sign-in to get a fresh code.",
  },
  invalid_client: {
    title: "Client authentication failed",
    explanation:
      "The token endpoint did not accept the client. The playground is a public client (token_endpoint_auth_method none); the client may be missing or registered as confidential.",
    hint: "Check that the playground client is seeded in this domain (octl seed) and that its id matches the Site's configuration.",
  },
  invalid_token: {
    title: "The access token was refused",
    explanation:
      "The resource (here /userinfo) did not accept the access token: it expired, was revoked (for instance by a logout or a reused refresh token), or was issued by another domain.",
    hint: "Use the refresh button to get a new access token, or sign in again.",
  },
  unauthorized_client: {
    title: "Client not allowed",
    explanation: "This client is not allowed to use this grant or response type.",
    hint: "The playground client needs grant types authorization_code and refresh_token and response type code.",
  },
  invalid_scope: {
    title: "Scope not allowed",
    explanation: "The client asked for a scope it is not registered for.",
    hint: "The playground client must allow openid offline_access email profile.",
  },
  invalid_request: {
    title: "Invalid request",
    explanation:
      "The authorization server rejected the request as malformed, for instance a redirect URI or post-logout URI that is not registered for the client, or a missing PKCE challenge.",
    hint: "Compare the request shown on the playground with the client's registration.",
  },
  unsupported_response_type: {
    title: "Response type not supported",
    explanation: "The authorization server does not support response_type=code for this client.",
    hint: "Register the client with response type code.",
  },
  server_error: {
    title: "Server error",
    explanation: "The authorization server hit an unexpected condition.",
    hint: "Look at the identity core's log (octl logs identity-<domain>) for the request id.",
  },
  temporarily_unavailable: {
    title: "Temporarily unavailable",
    explanation: "The authorization server is overloaded or under maintenance.",
    hint: "Try again in a moment.",
  },
  state_mismatch: {
    title: "State mismatch",
    explanation:
      "The state returned by the authorization server is not the one this browser sent. That is what a forged callback (login CSRF) looks like, so the code is not exchanged.",
    hint: "Start a new sign-in from this browser tab.",
  },
  flow_missing: {
    title: "No sign-in in progress",
    explanation:
      "This browser has no pending authorization request for this domain: its short-lived cookie (verifier, state, nonce) expired after 10 minutes, was already used, or the callback was opened in another browser.",
    hint: "Start a new sign-in from the playground.",
  },
  code_missing: {
    title: "No authorization code",
    explanation: "The callback carries neither a code nor an error.",
    hint: "Start a new sign-in from the playground.",
  },
  id_token_invalid: {
    title: "The ID token did not verify",
    explanation:
      "The token endpoint answered, but the ID token failed verification, so the sign-in must not be trusted. The checks below show which one failed.",
    hint: "Look at the failed checks; a wrong nonce or audience means the token is not an answer to this request.",
  },
  machine_client_failed: {
    title: "The machine client could not be used",
    explanation:
      "The Site's server could not get a secret for the playground's confidential client from the identity core's admin API, so no token request was made.",
    hint: "Check that the seeds registered site-playground-machine-<domain> and that the Site's *_HYDRA_ADMIN_URL points at the core's admin API.",
  },
  introspection_failed: {
    title: "Introspection did not answer",
    explanation:
      "The Site's server could not introspect the tokens at the identity core's admin API (which only the server may call).",
    hint: "Check that the identity core runs and that the Site's CIAM_HYDRA_ADMIN_URL / IAM_HYDRA_ADMIN_URL point at its admin API.",
  },
  discovery_failed: {
    title: "The identity core is not reachable",
    explanation:
      "The playground could not read the domain's OpenID Connect discovery document, or it names another issuer than the one configured.",
    hint: "Check that the identity core runs (octl status) and that the issuer URL the Site is configured with is the issuer the core announces.",
  },
  logout_state_mismatch: {
    title: "Logout state mismatch",
    explanation:
      "The identity provider sent the browser back after logout with a state this Site did not issue.",
    hint: "Nothing was changed on the Site; start again from the playground.",
  },
};

/** Explains an OAuth2 / OIDC error code (RFC 6749 §4.1.2.1, §5.2; OIDC Core §3.1.2.6) in plain words. */
export function explainError(code: string, raw?: unknown): ExplainedError {
  const known = catalogue[code];
  if (known) return { code, ...known, ...(raw === undefined ? {} : { raw }) };
  return {
    code,
    title: "The authorization server returned an error",
    explanation: `The error code ${JSON.stringify(code)} is not one the playground knows; its description below comes from the server.`,
    hint: "Start a new sign-in; if it persists, check the identity core's log.",
    ...(raw === undefined ? {} : { raw }),
  };
}

/** Maps an error thrown by openid-client to the OAuth2 code it carries, or a playground code. */
export function codeOfClientError(e: unknown): { code: string; raw: unknown } {
  const err = e as {
    name?: string;
    code?: string;
    error?: string;
    error_description?: string;
    message?: string;
    cause?: unknown;
    status?: number;
  };
  if (err && typeof err.error === "string") {
    // ResponseBodyError (token endpoint) and AuthorizationResponseError (callback) carry the RFC 6749 body.
    return {
      code: err.error,
      raw: {
        error: err.error,
        error_description: err.error_description,
        status: err.status,
        cause: err.cause,
      },
    };
  }
  const message = err?.message ?? String(e);
  if (err?.code === "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED" && /state/.test(message))
    return { code: "state_mismatch", raw: { message } };
  if (/nonce|"aud"|"iss"|"exp"|expired|ID Token|id_token/i.test(message))
    return { code: "id_token_invalid", raw: { message, code: err?.code } };
  return { code: "server_error", raw: { message, code: err?.code } };
}
