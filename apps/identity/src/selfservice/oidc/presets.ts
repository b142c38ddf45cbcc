import type { OidcProviderConfig, ProviderKind } from "../../config/oidc.ts";

/*
 * What each provider kind Kratos knows needs beyond a client id: where its endpoints are, which scopes
 * it wants, and how its profile becomes OpenID Connect claims. Providers that speak OpenID Connect
 * (discovery + a signed ID token) are read through their discovery document; the plain OAuth2 ones
 * (GitHub, Discord, Facebook) through their profile API, as Kratos does.
 */

export interface Preset {
  /** The name on the button when no label is configured. */
  name: string;
  /** OpenID Connect: discovery at this issuer (a function of the provider config for tenants/realms). */
  issuer?: (p: OidcProviderConfig) => string | undefined;
  /** Plain OAuth2: fixed endpoints; the profile comes from `profile`. */
  endpoints?: { auth: string; token: string; userinfo?: string };
  scope: string[];
  /** Extra authorization request parameters. */
  authParams?: (p: OidcProviderConfig, scope: string[]) => Record<string, string>;
  /** Plain OAuth2 providers: reads the profile with the access token and returns claims. */
  profile?: (input: ProfileInput) => Promise<Record<string, unknown>>;
}

export interface ProfileInput {
  provider: OidcProviderConfig;
  accessToken: string;
  userinfoUrl: string;
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
}

async function getJson(input: ProfileInput, url: string, headers: Record<string, string> = {}) {
  const res = await input.fetch(url, {
    headers: { accept: "application/json", authorization: `Bearer ${input.accessToken}`, ...headers },
  });
  if (!res.ok) throw new Error(`the provider's profile API answered ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}

const s = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** GitHub: /user, and /user/emails for the primary verified address (the profile's may be hidden). */
async function githubProfile(input: ProfileInput): Promise<Record<string, unknown>> {
  const headers = { "x-github-api-version": "2022-11-28" };
  const user = await getJson(input, input.userinfoUrl, headers);
  let email = s(user.email);
  let verified = false;
  try {
    const emailsUrl = new URL(
      "emails",
      input.userinfoUrl.endsWith("/") ? input.userinfoUrl : `${input.userinfoUrl}/`,
    );
    const res = await input.fetch(emailsUrl.toString(), {
      headers: { accept: "application/json", authorization: `Bearer ${input.accessToken}`, ...headers },
    });
    if (res.ok) {
      const list = (await res.json()) as { email?: string; primary?: boolean; verified?: boolean }[];
      const primary = Array.isArray(list) ? list.find((e) => e.primary) : undefined;
      if (primary?.email) {
        email = primary.email;
        verified = primary.verified === true;
      }
    }
  } catch {
    // Without the user:email scope there is no list: the public profile address, unverified.
  }
  return {
    sub: String(user.id),
    name: s(user.name),
    nickname: s(user.login),
    preferred_username: s(user.login),
    email,
    email_verified: verified,
    picture: s(user.avatar_url),
    profile: s(user.html_url),
    website: s(user.blog),
    raw_claims: user,
  };
}

async function discordProfile(input: ProfileInput): Promise<Record<string, unknown>> {
  const user = await getJson(input, input.userinfoUrl);
  const id = String(user.id);
  return {
    sub: id,
    name: s(user.global_name) ?? s(user.username),
    nickname: s(user.username),
    preferred_username: s(user.username),
    email: s(user.email),
    email_verified: user.verified === true,
    picture: s(user.avatar) ? `https://cdn.discordapp.com/avatars/${id}/${user.avatar}.png` : undefined,
    locale: s(user.locale),
    raw_claims: user,
  };
}

/** Facebook: the Graph API, with appsecret_proof (HMAC of the token with the app secret) as Kratos sends it. */
async function facebookProfile(input: ProfileInput): Promise<Record<string, unknown>> {
  const { createHmac } = await import("node:crypto");
  const url = new URL(input.userinfoUrl);
  url.searchParams.set("fields", "id,name,first_name,last_name,middle_name,email,picture,birthday,gender");
  if (input.provider.client_secret) {
    url.searchParams.set(
      "appsecret_proof",
      createHmac("sha256", input.provider.client_secret).update(input.accessToken).digest("hex"),
    );
  }
  const user = await getJson(input, url.toString());
  const picture = (user.picture as { data?: { url?: string } } | undefined)?.data?.url;
  return {
    sub: String(user.id),
    name: s(user.name),
    given_name: s(user.first_name),
    family_name: s(user.last_name),
    middle_name: s(user.middle_name),
    // Facebook only hands out confirmed addresses.
    email: s(user.email),
    email_verified: Boolean(s(user.email)),
    picture,
    birthdate: s(user.birthday),
    gender: s(user.gender),
    raw_claims: user,
  };
}

const oidcScope = ["openid", "email", "profile"];

export const PRESETS: Record<ProviderKind, Preset> = {
  generic: { name: "OpenID Connect", issuer: (p) => p.issuer_url, scope: oidcScope },
  google: { name: "Google", issuer: () => "https://accounts.google.com", scope: oidcScope },
  github: {
    name: "GitHub",
    endpoints: {
      auth: "https://github.com/login/oauth/authorize",
      token: "https://github.com/login/oauth/access_token",
      userinfo: "https://api.github.com/user",
    },
    scope: ["read:user", "user:email"],
    profile: githubProfile,
  },
  "github-app": {
    name: "GitHub",
    endpoints: {
      auth: "https://github.com/login/oauth/authorize",
      token: "https://github.com/login/oauth/access_token",
      userinfo: "https://api.github.com/user",
    },
    // GitHub Apps take their permissions from the app, not from scopes.
    scope: [],
    profile: githubProfile,
  },
  microsoft: {
    name: "Microsoft",
    issuer: (p) => `https://login.microsoftonline.com/${p.microsoft_tenant ?? "common"}/v2.0`,
    scope: oidcScope,
  },
  apple: {
    name: "Apple",
    issuer: () => "https://appleid.apple.com",
    scope: ["openid", "email", "name"],
    // Apple posts the answer back when it is asked for the name or the address.
    authParams: (_p, scope): Record<string, string> =>
      scope.some((x) => x === "email" || x === "name") ? { response_mode: "form_post" } : {},
  },
  gitlab: { name: "GitLab", issuer: (p) => p.issuer_url ?? "https://gitlab.com", scope: oidcScope },
  facebook: {
    name: "Facebook",
    endpoints: {
      auth: "https://www.facebook.com/v19.0/dialog/oauth",
      token: "https://graph.facebook.com/v19.0/oauth/access_token",
      userinfo: "https://graph.facebook.com/me",
    },
    scope: ["email", "public_profile"],
    profile: facebookProfile,
  },
  discord: {
    name: "Discord",
    endpoints: {
      auth: "https://discord.com/oauth2/authorize",
      token: "https://discord.com/api/oauth2/token",
      userinfo: "https://discord.com/api/users/@me",
    },
    scope: ["identify", "email"],
    authParams: () => ({ prompt: "none" }),
    profile: discordProfile,
  },
  slack: { name: "Slack", issuer: () => "https://slack.com", scope: oidcScope },
  auth0: { name: "Auth0", issuer: (p) => p.issuer_url, scope: oidcScope },
  keycloak: { name: "Keycloak", issuer: (p) => p.issuer_url, scope: oidcScope },
};

/** The label a provider's buttons carry. */
export function providerLabel(p: OidcProviderConfig): string {
  return p.label ?? (p.provider === "generic" ? p.id : PRESETS[p.provider].name);
}
