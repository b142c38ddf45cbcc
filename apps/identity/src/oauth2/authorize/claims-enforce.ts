import type { LoginResult } from "../flow/challenge.ts";
import { OAuth2Error } from "../errors.ts";
import type { OAuth2 } from "../runtime.ts";
import { clientSubject } from "../subjects.ts";
import { essentialAcr, requestedSubject } from "./claims-request.ts";
import { type AuthorizeRequest, AuthorizeError } from "./request.ts";

/**
 * A remembered login does not answer a request with an essential `acr`: the login app must
 * authenticate and say which `acr` it reached (a remembered login carries none).
 */
export function forcesLogin(req: AuthorizeRequest): boolean {
  return essentialAcr(req.oidc.claims) !== undefined;
}

/**
 * OpenID Connect Core §5.5.1.1: an essential `acr` whose values the accepted login does not meet is a
 * failed authentication (`unmet_authentication_requirements`); with no values, any stated `acr` does.
 * §5.5.1: a `sub` requested by value must be the user who logged in (`access_denied` otherwise).
 */
export function checkLoginMeetsClaims(o2: OAuth2, req: AuthorizeRequest, r: LoginResult): void {
  const allowed = essentialAcr(req.oidc.claims);
  if (allowed !== undefined && !(allowed.length ? allowed.includes(r.acr) : r.acr !== "")) {
    throw new AuthorizeError(
      new OAuth2Error(
        "unmet_authentication_requirements",
        `The login did not reach the essential 'acr' the client requested (${allowed.join(", ") || "any"}; reached: '${r.acr || "none"}').`,
      ),
      req.target,
    );
  }
  const sub = requestedSubject(req.oidc.claims);
  if (sub !== undefined && sub !== clientSubject(o2, req.client, r.subject, r.force_subject_identifier)) {
    throw new AuthorizeError(
      new OAuth2Error("access_denied", "The user who logged in is not the 'sub' the client requested."),
      req.target,
    );
  }
}
