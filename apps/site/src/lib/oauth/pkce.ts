import * as client from "openid-client";

/** The secrets one authorization request needs; they stay server-side until the callback. */
export interface AuthorizationSecrets {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: "S256";
  state: string;
  nonce: string;
}

/** A fresh PKCE pair (RFC 7636, S256 only), state and nonce, from openid-client's CSPRNG helpers. */
export async function createAuthorizationSecrets(): Promise<AuthorizationSecrets> {
  const codeVerifier = client.randomPKCECodeVerifier();
  return {
    codeVerifier,
    codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
    codeChallengeMethod: "S256",
    state: client.randomState(),
    nonce: client.randomNonce(),
  };
}
