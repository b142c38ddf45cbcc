import type { Tx } from "../db/client.ts";
import { OryError } from "../errors/index.ts";

/** What the login flow reports when it accepts an OAuth2 login request (Kratos' AcceptLoginRequest). */
export interface AcceptLogin {
  /** The identity's id: the OAuth2 subject. */
  subject: string;
  /** The identity session: the login's `identity_provider_session_id`. */
  sessionId: string;
  /** The session's methods, as OAuth2 `amr` values. */
  amr: string[];
  /** The session's authenticator assurance level, the login's `acr` (as Kratos sets it). */
  acr?: string;
}

/**
 * The bridge between the self-service half (Kratos) and the OAuth2 provider (Hydra) of one core, in
 * the shape of Kratos' `hydra.Provider`. The self-service code sees only this interface; the core
 * passes the in-process implementation (`oauth2/bridge.ts`), a core without an OAuth2 provider passes
 * `noHydra`, and tests may pass `FakeHydra` (`hydra/fake.ts`).
 */
export interface Hydra {
  /** The OAuth2 login request behind a `login_challenge`, in Hydra's wire shape (embedded in the login flow). Throws an Ory 410 when it expired or was used, 400 when it is invalid. */
  getLoginRequest(challenge: string): Promise<Record<string, unknown>>;
  /** Accepts a login request after a successful login; returns where the browser goes next. */
  acceptLoginRequest(challenge: string, accept: AcceptLogin): Promise<string>;
  /** An identity session ended (logout, revocation): the OAuth2 login sessions it started end too. */
  sessionEnded(sessionId: string): Promise<void>;
  /**
   * An identity is being deleted, inside the deletion's transaction: its grants, tokens and login
   * sessions go, and the JWT-bearer trust bound to it.
   */
  subjectDeleted(tx: Tx, subject: string): Promise<void>;
  /**
   * Recovery proved an address and removed every credential and session that predates the proof
   * (pre-hijacking), inside that transaction: nothing the OAuth2 provider issued before may outlive it.
   */
  credentialsReset(tx: Tx, subject: string): Promise<void>;
}

/** The bridge of a core that runs without an OAuth2 provider: login challenges are refused. */
export const noHydra: Hydra = {
  async getLoginRequest() {
    throw new OryError(400, "OAuth2 login challenges are not supported by this deployment", {
      reason: "The login_challenge parameter requires the OAuth2 provider.",
    });
  },
  async acceptLoginRequest() {
    throw new OryError(400, "OAuth2 login challenges are not supported by this deployment", {
      reason: "The login_challenge parameter requires the OAuth2 provider.",
    });
  },
  async sessionEnded() {},
  async subjectDeleted() {},
  async credentialsReset() {},
};
