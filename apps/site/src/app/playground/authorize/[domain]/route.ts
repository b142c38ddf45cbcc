import { randomBytes } from "node:crypto";
import { type NextRequest, NextResponse } from "next/server";
import { isDomain, siteConfig } from "../../../../lib/config";
import {
  cookieAttributes,
  chosenScope,
  cookieNames,
  encodeFlow,
  FLOW_COOKIE_MAX_AGE,
  parsePrompt,
  SESSION_COOKIE_MAX_AGE,
} from "../../../../lib/oauth/flow-cookie";
import { createAuthorizationSecrets } from "../../../../lib/oauth/pkce";
import { allowedScopes } from "../../../../lib/oauth/playground";
import { playgroundStore } from "../../../../lib/oauth/store";

/**
 * Prepares an authorization request: fresh PKCE verifier, state and nonce go into a short-lived HttpOnly
 * cookie for this domain, then the browser goes back to /playground, which shows the request before
 * anything is sent to the identity provider.
 */
export async function POST(request: NextRequest, ctx: { params: Promise<{ domain: string }> }) {
  const { domain } = await ctx.params;
  if (!isDomain(domain)) return new NextResponse("unknown domain", { status: 404 });
  const config = siteConfig();
  // Only forms of this Site may start a flow (a cross-site form would overwrite this browser's flow).
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  if (
    (origin && origin !== new URL(config.publicUrl).origin && origin !== request.nextUrl.origin) ||
    site === "cross-site"
  ) {
    return new NextResponse("cross-site request refused", { status: 403 });
  }
  const form = await request.formData().catch(() => undefined);
  const prompt = parsePrompt(form?.get("prompt"));
  // The scope picker: only scopes the client may request count (read from the core, server-side).
  const scope = form?.has("scope-picker")
    ? chosenScope(form.getAll("scope"), await allowedScopes(config.domains[domain], config.adminUrls[domain]))
    : undefined;
  const dpop = form?.get("dpop") === "on";
  const secrets = await createAuthorizationSecrets();

  const previous = request.cookies.get(cookieNames.session(domain))?.value;
  playgroundStore.delete(previous);
  const sessionId = randomBytes(32).toString("base64url");
  playgroundStore.create(sessionId, domain, SESSION_COOKIE_MAX_AGE * 1000);

  // A relative Location keeps the browser on the host the cookies were just set for.
  const response = new NextResponse(null, {
    status: 303,
    headers: { location: `/playground?domain=${domain}#request-${domain}` },
  });
  response.cookies.set(
    cookieNames.flow(domain),
    encodeFlow({
      codeVerifier: secrets.codeVerifier,
      state: secrets.state,
      nonce: secrets.nonce,
      createdAt: Date.now(),
      ...(prompt ? { prompt } : {}),
      ...(scope ? { scope } : {}),
      ...(dpop ? { dpop } : {}),
    }),
    cookieAttributes(config.publicUrl, FLOW_COOKIE_MAX_AGE),
  );
  response.cookies.set(
    cookieNames.session(domain),
    sessionId,
    cookieAttributes(config.publicUrl, SESSION_COOKIE_MAX_AGE),
  );
  response.headers.set("cache-control", "no-store");
  return response;
}
