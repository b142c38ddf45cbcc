/** Error ids Kratos uses on the wire; the union keeps callers honest. */
export type OryErrorId =
  | "session_already_available"
  | "session_inactive"
  | "session_aal1_required"
  | "session_aal_already_fulfilled"
  | "session_aal2_required"
  | "session_refresh_required"
  | "session_verified_address_required"
  | "security_csrf_violation"
  | "security_identity_mismatch"
  | "self_service_flow_expired"
  | "self_service_flow_replaced"
  | "self_service_flow_disabled"
  | "self_service_flow_return_to_forbidden"
  | "browser_location_change_required"
  | "identity_disabled";

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  410: "Gone",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? "Error";
}

export interface OryErrorOptions {
  id?: OryErrorId;
  reason?: string;
  details?: Record<string, unknown>;
  /** Fields placed next to `error` at the top level (use_flow_id, redirect_browser_to, …). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

/** The one error type of the Kratos side; `toBody()` is the herodot wire shape. */
export class OryError extends Error {
  override name = "OryError";
  readonly code: number;
  readonly id: OryErrorId | undefined;
  readonly reason: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: number, message: string, opts: OryErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.id = opts.id;
    this.reason = opts.reason;
    this.details = opts.details;
    this.extra = opts.extra;
  }

  toBody(): Record<string, unknown> {
    const error: Record<string, unknown> = {
      code: this.code,
      status: statusText(this.code),
      message: this.message,
    };
    if (this.id) error.id = this.id;
    if (this.reason) error.reason = this.reason;
    if (this.details) error.details = this.details;
    return { error, ...(this.extra ?? {}) };
  }
}

export const badRequest = (reason: string, opts: OryErrorOptions = {}) =>
  new OryError(400, "The request was malformed or contained invalid parameters", { reason, ...opts });
export const notFound = (reason = "The requested resource could not be found") =>
  new OryError(404, "The requested resource could not be found", { reason });
export const conflict = (reason: string) =>
  new OryError(409, "The resource could not be created due to a conflict", { reason });
export const unauthorized = (reason: string, opts: OryErrorOptions = {}) =>
  new OryError(401, "The request could not be authorized", { reason, ...opts });
export const forbidden = (reason: string, opts: OryErrorOptions = {}) =>
  new OryError(403, "The requested action was forbidden", { reason, ...opts });

export const sessionInactive = () =>
  new OryError(401, "request does not have a valid authentication session", {
    id: "session_inactive",
    reason: "No active session was found in this request.",
  });

export const sessionAlreadyAvailable = () =>
  new OryError(
    400,
    "A valid session was detected and thus login is not possible. Did you forget to set `?refresh=true`?",
    {
      id: "session_already_available",
      reason: "A valid session was detected and thus login is not possible.",
    },
  );

export const returnToForbidden = (url: string) =>
  new OryError(400, "Requested return_to URL is not allowed.", {
    id: "self_service_flow_return_to_forbidden",
    reason: `Requested return_to URL "${url}" is not allowed.`,
  });

export const browserLocationChangeRequired = (url: string) =>
  new OryError(422, "browser location change required", {
    id: "browser_location_change_required",
    reason: `In order to complete this flow please redirect the browser to: ${url}`,
    extra: { redirect_browser_to: url },
  });

export const flowDisabled = (kind: string) =>
  new OryError(400, `${kind} flow is disabled`, {
    id: "self_service_flow_disabled",
    reason: `Self-service ${kind} is disabled for this domain.`,
  });

/** Thrown when the database cannot be reached; answered 503 in the Ory shape. */
export const serviceUnavailable = (
  reason = "The service is temporarily unavailable, please try again later.",
) => new OryError(503, "The service is temporarily unavailable", { reason });
