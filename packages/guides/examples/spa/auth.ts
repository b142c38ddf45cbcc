import * as oidc from "openid-client";

// A single-page app is a public client: it has no secret, so it proves it started the sign-in with
// PKCE. openid-client runs in the browser as well as in Node.
export interface SpaOptions {
  issuer: string;
  clientId: string;
  /** Your app's callback page, registered as one of the client's redirect_uris. */
  redirectUri: string;
  /** Where the verifier waits across the redirect: sessionStorage in a browser. */
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
}

export async function discover({ issuer, clientId }: SpaOptions) {
  const options = issuer.startsWith("http://") ? { execute: [oidc.allowInsecureRequests] } : undefined;
  return oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), options);
}

/** Step 1: the URL to send the browser to (`location.assign(url)`). */
export async function startSignIn(config: oidc.Configuration, opts: SpaOptions): Promise<URL> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  opts.storage.setItem("pkce", JSON.stringify({ verifier, state }));
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: opts.redirectUri,
    scope: "openid offline_access email",
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
  });
}

/** Step 2, on the callback page: trade the code for tokens (`finishSignIn(config, opts, new URL(location.href))`). */
export async function finishSignIn(config: oidc.Configuration, opts: SpaOptions, callback: URL) {
  const saved = opts.storage.getItem("pkce");
  if (!saved) throw new Error("no sign-in in progress");
  opts.storage.removeItem("pkce");
  const { verifier, state } = JSON.parse(saved) as { verifier: string; state: string };
  const tokens = await oidc.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    idTokenExpected: true,
  });
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    subject: tokens.claims()?.sub,
  };
}

/** Who is signed in, from the userinfo endpoint. */
export async function profile(config: oidc.Configuration, accessToken: string, subject: string) {
  return oidc.fetchUserInfo(config, accessToken, subject);
}
