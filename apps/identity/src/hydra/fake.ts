import type { Tx } from "../db/client.ts";
import { OryError } from "../errors/index.ts";
import type { AcceptLogin, Hydra } from "./hydra.ts";

/** One call the core made on the bridge, as a test sees it. */
export type HydraCall =
  | { op: "getLoginRequest"; challenge: string }
  | { op: "acceptLoginRequest"; challenge: string; accept: AcceptLogin }
  | { op: "sessionEnded"; sessionId: string }
  | { op: "subjectDeleted"; subject: string }
  | { op: "credentialsReset"; subject: string };

/**
 * A Hydra for tests of the self-service half: login requests are whatever the test puts in
 * `requests`, accepting one answers `redirectTo(challenge)`, and every call is recorded in `calls`.
 * An unknown challenge is refused as the real bridge refuses it (400).
 */
export class FakeHydra implements Hydra {
  readonly calls: HydraCall[] = [];
  readonly requests = new Map<string, Record<string, unknown>>();
  redirectTo = (challenge: string) => `http://127.0.0.1:5555/oauth2/auth?login_verifier=${challenge}`;

  async getLoginRequest(challenge: string): Promise<Record<string, unknown>> {
    this.calls.push({ op: "getLoginRequest", challenge });
    const request = this.requests.get(challenge);
    if (!request) {
      throw new OryError(400, "The request was malformed or contained invalid parameters", {
        reason: "The login_challenge is invalid.",
      });
    }
    return request;
  }

  async acceptLoginRequest(challenge: string, accept: AcceptLogin): Promise<string> {
    this.calls.push({ op: "acceptLoginRequest", challenge, accept });
    return this.redirectTo(challenge);
  }

  async sessionEnded(sessionId: string): Promise<void> {
    this.calls.push({ op: "sessionEnded", sessionId });
  }

  async subjectDeleted(_tx: Tx, subject: string): Promise<void> {
    this.calls.push({ op: "subjectDeleted", subject });
  }

  async credentialsReset(_tx: Tx, subject: string): Promise<void> {
    this.calls.push({ op: "credentialsReset", subject });
  }
}
