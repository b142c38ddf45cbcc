import { hmac, verifyHmac } from "../crypto.ts";
import type { OAuth2 } from "../runtime.ts";

/*
 * DPoP server nonces (RFC 9449 §8) are stateless: a nonce is the number of the current time window
 * (`oauth2.dpop.nonce_lifetime` long) and an HMAC of it under a key derived from `secrets.cipher`.
 * Every replica computes and checks the same nonces without a table or a round trip, a nonce can not
 * be forged, and it is accepted in its own window and the next one. Replays are caught by the
 * proof's `jti`, which is stored anyway, so a nonce needs no single use of its own: its job is to
 * bound how long a proof signed in advance stays usable.
 */

function windowOf(o2: OAuth2, atMs = Date.now()): number {
  return Math.floor(atMs / o2.cfg.dpop.nonce_lifetime);
}

const macInput = (window: number) => `dpop-nonce:${window}`;

/** The nonce of the current window. */
export function issueNonce(o2: OAuth2): string {
  const w = windowOf(o2);
  return `${w.toString(36)}.${hmac(o2.keys.dpopNonce[0]!, macInput(w))}`;
}

/** Whether a nonce was issued by this server in the current or the previous window. */
export function checkNonce(o2: OAuth2, nonce: string): boolean {
  if (nonce.length > 128) return false;
  const dot = nonce.indexOf(".");
  if (dot < 1) return false;
  const w = Number.parseInt(nonce.slice(0, dot), 36);
  if (!Number.isSafeInteger(w) || w.toString(36) !== nonce.slice(0, dot)) return false;
  const current = windowOf(o2);
  if (w !== current && w !== current - 1) return false;
  return verifyHmac(o2.keys.dpopNonce, macInput(w), nonce.slice(dot + 1));
}
