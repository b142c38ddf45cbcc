import { seal, unseal } from "../crypto.ts";
import type { OAuth2 } from "../runtime.ts";

/*
 * Login, consent and logout requests are not stored. Each challenge and verifier is the request
 * itself, sealed (JWE, dir + A256GCM) with a key derived from secrets.cipher and tagged with its
 * purpose. Only what must outlive a request is written: the login session when a login is accepted,
 * the grant (with its code) when a consent verifier is redeemed. Those rows are also what marks a
 * challenge as used.
 */

/** The part of every authorization step that points back at the original request. */
export interface AuthRequestRef {
  /** The login challenge id: the flow's identity across login and consent. */
  id: string;
  /** The original /oauth2/auth URL with every parameter: the request is re-read from it, never trusted from a later URL. */
  request_url: string;
  client_id: string;
  /** Unix seconds. */
  requested_at: number;
  /** Binds the flow to the browser that started it (keyed hash of its OAuth2 CSRF cookie). */
  csrf: string;
}

export interface LoginChallenge extends AuthRequestRef {
  /** The `sid`: the remembered session's when `skip`, else a fresh one. */
  session_id: string;
  skip: boolean;
  /** The remembered subject when `skip`, else "". */
  subject: string;
  /** Unix seconds of the remembered authentication (skip only). */
  auth_time?: number;
  acr?: string;
  amr?: string[];
}

/** Hydra's RejectOAuth2Request, carried to the client as the authorization error. */
export interface RequestDenial {
  error: string;
  error_description: string;
  error_hint?: string;
  error_debug?: string;
  status_code?: number;
}

export interface LoginResult {
  subject: string;
  remember: boolean;
  remember_for: number;
  acr: string;
  amr: string[];
  context: unknown;
  force_subject_identifier: string;
  identity_provider_session_id: string;
  /** Unix seconds. */
  auth_time: number;
  /** A remembered login whose cookie lifetime is to be renewed. */
  extend: boolean;
}

export interface LoginVerifier extends LoginChallenge {
  result?: LoginResult;
  denial?: RequestDenial;
}

export interface ConsentChallenge extends AuthRequestRef {
  consent_id: string;
  session_id: string;
  subject: string;
  /** The subject the client sees (pairwise or forced). */
  client_subject: string;
  auth_time: number;
  acr: string;
  amr: string[];
  login_context: unknown;
  /** Whether the login was remembered (it was skipped). */
  login_skipped: boolean;
  skip: boolean;
}

export interface ConsentResult {
  grant_scope: string[];
  /** RFC 9396: the authorization details granted (absent when none were requested). */
  grant_authorization_details?: Record<string, unknown>[];
  grant_access_token_audience: string[];
  remember: boolean;
  remember_for: number;
  session: { access_token: Record<string, unknown>; id_token: Record<string, unknown> };
  context: unknown;
  /** Unix milliseconds (orders remembered consents given within one second). */
  handled_at: number;
}

export interface ConsentVerifier extends ConsentChallenge {
  result?: ConsentResult;
  denial?: RequestDenial;
}

export interface LogoutChallenge {
  id: string;
  sid: string;
  subject: string;
  client_id?: string;
  post_logout_redirect_uri?: string;
  state?: string;
  rp_initiated: boolean;
  request_url: string;
  requested_at: number;
}

/**
 * A device flow's user-code step (RFC 8628), before the user code is known: issued to the browser
 * that opened /oauth2/device/verify and bound to it.
 */
export interface DeviceChallenge {
  id: string;
  csrf: string;
  /** Unix seconds. */
  requested_at: number;
}

/** The user code was accepted: the device request it names may go on to login and consent. */
export interface DeviceVerifier extends DeviceChallenge {
  device_request_id: string;
}

/** An accepted logout: the front-channel logout URLs of the session's clients, loaded on the way out. */
export interface LogoutVerifier extends LogoutChallenge {
  frontchannel?: string[];
}

/** A pushed authorization request (RFC 9126): the request's parameters, sealed into its request_uri. */
export interface PushedRequest {
  id: string;
  client_id: string;
  /** The authorization request's parameters, form-encoded. */
  params: string;
  /** Unix seconds. */
  expires_at: number;
}

export type Purpose =
  | "pushed_request"
  | "device_challenge"
  | "device_verifier"
  | "login_challenge"
  | "login_verifier"
  | "consent_challenge"
  | "consent_verifier"
  | "logout_challenge"
  | "logout_verifier";

interface ByPurpose {
  pushed_request: PushedRequest;
  device_challenge: DeviceChallenge;
  device_verifier: DeviceVerifier;
  login_challenge: LoginChallenge;
  login_verifier: LoginVerifier;
  consent_challenge: ConsentChallenge;
  consent_verifier: ConsentVerifier;
  logout_challenge: LogoutChallenge;
  logout_verifier: LogoutVerifier;
}

export function sealFlow<P extends Purpose>(o2: OAuth2, purpose: P, payload: ByPurpose[P]): Promise<string> {
  return seal(o2.keys.flow, purpose, payload);
}

export function openFlow<P extends Purpose>(
  o2: OAuth2,
  purpose: P,
  token: string | undefined,
): Promise<ByPurpose[P] | undefined> {
  if (!token) return Promise.resolve(undefined);
  return unseal<ByPurpose[P]>(o2.keys.flow, purpose, token);
}

/** Whether a login/consent request (or its verifier) is past `ttl.login_consent_request`. */
export function isExpired(o2: OAuth2, requestedAt: number): boolean {
  return requestedAt * 1000 + o2.cfg.ttl.login_consent_request < Date.now();
}

/** A request that was already handled or has expired: Hydra answers 410 `{redirect_to}`. */
export class RequestGone extends Error {
  override name = "RequestGone";
  constructor(readonly redirectTo: string) {
    super("The request was already handled or has expired.");
  }
}
