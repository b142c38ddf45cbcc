import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { Tx } from "../../db/client.ts";
import type { FlowRow } from "./repository.ts";

/**
 * Extension points between capabilities, filled in at start (app/create.ts), so that e.g. the
 * registration flow can start verification and the login flow can complete an OAuth2 login
 * challenge without importing each other.
 */
export interface FlowHooks {
  /** Queues verification for new addresses; returns the verification flow to continue with. */
  startVerification?: (
    tx: Tx,
    ctx: AppContext,
    c: Context,
    input: {
      identityId: string;
      address: string;
      via: string;
      type: "browser" | "api";
      returnTo?: string | null;
    },
  ) => Promise<{ flowId: string; url: string } | undefined>;
  /** Completes an OAuth2 login challenge after login; returns the URL the browser must go to next. */
  acceptLoginChallenge?: (
    ctx: AppContext,
    c: Context,
    input: {
      challenge: string;
      identityId: string;
      sessionId: string;
      methods: string[];
      /** The session's authenticator assurance level, the OAuth2 login's `acr` (as Kratos sets it). */
      aal?: string;
      flow: FlowRow;
    },
  ) => Promise<string>;
  /** Validates a login_challenge when a login flow starts; returns the OAuth2 login request to embed. */
  loadLoginChallenge?: (ctx: AppContext, challenge: string) => Promise<Record<string, unknown>>;
  /** Ends OAuth2 login sessions tied to an identity session (logout). */
  onSessionRevoked?: (ctx: AppContext, sessionId: string) => Promise<void>;
  /**
   * Erasure: removes data keyed by the identity's id as text (e.g. OAuth2 grants and tokens by
   * subject). Called by security/erasure.ts `eraseIdentity` inside the deletion transaction, before the
   * identity row (and everything that cascades from it) is deleted.
   */
  onIdentityDeleted?: (tx: Tx, ctx: AppContext, identityId: string) => Promise<void>;
  /**
   * Recovery proved an address for the first time and removed every credential and session that
   * predates the proof (pre-hijacking): OAuth2 grants, tokens and login sessions of the subject go too.
   */
  onCredentialsReset?: (tx: Tx, ctx: AppContext, identityId: string) => Promise<void>;
}

export const hooks: FlowHooks = {};
