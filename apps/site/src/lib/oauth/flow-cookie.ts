import type { Domain } from "../config";

/**
 * Cookie names carry the domain, like every Olympus cookie: on localhost all ports share cookies, and a
 * CIAM round trip must never overwrite an IAM one.
 */
export const cookieNames = {
  /** verifier, state and nonce of the authorization request in progress (10 minutes). */
  flow: (d: Domain) => `olympus_site_${d}_flow`,
  /** A random id naming this browser's playground session in server memory (tokens never leave it). */
  session: (d: Domain) => `olympus_site_${d}_playground`,
} as const;

export const FLOW_COOKIE_MAX_AGE = 600;
export const SESSION_COOKIE_MAX_AGE = 8 * 3600;

/** What the flow cookie holds between the authorization request and the callback. */
export interface PendingFlow {
  codeVerifier: string;
  state: string;
  nonce: string;
  prompt?: string;
  /** The scopes chosen in the playground (space-separated); absent: the configured ones. */
  scope?: string;
  /** The tokens are to be bound to the session's DPoP key (RFC 9449). */
  dpop?: boolean;
  /** Epoch milliseconds. */
  createdAt: number;
}

const token = /^[A-Za-z0-9\-._~]{16,256}$/;
/** Space-separated scope tokens (RFC 6749 §3.3), bounded. */
const scopeList = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}( [\x21\x23-\x5B\x5D-\x7E]{1,100}){0,19}$/;
const prompts = new Set(["login", "consent", "none", "select_account"]);

export function encodeFlow(flow: PendingFlow): string {
  return Buffer.from(JSON.stringify(flow), "utf8").toString("base64url");
}

/** Decodes a flow cookie; anything malformed or older than the cookie's lifetime reads as no flow. */
export function decodeFlow(value: string | undefined, now = Date.now()): PendingFlow | undefined {
  if (!value || value.length > 2048) return undefined;
  try {
    const raw = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Record<string, unknown>;
    const { codeVerifier, state, nonce, prompt, createdAt, scope, dpop } = raw;
    if (typeof codeVerifier !== "string" || !token.test(codeVerifier)) return undefined;
    if (typeof state !== "string" || !token.test(state)) return undefined;
    if (typeof nonce !== "string" || !token.test(nonce)) return undefined;
    if (
      typeof createdAt !== "number" ||
      now - createdAt > FLOW_COOKIE_MAX_AGE * 1000 ||
      createdAt > now + 60_000
    )
      return undefined;
    if (prompt !== undefined && (typeof prompt !== "string" || !prompts.has(prompt))) return undefined;
    if (scope !== undefined && (typeof scope !== "string" || !scopeList.test(scope))) return undefined;
    if (dpop !== undefined && dpop !== true) return undefined;
    return {
      codeVerifier,
      state,
      nonce,
      createdAt,
      ...(prompt ? { prompt } : {}),
      ...(scope ? { scope } : {}),
      ...(dpop ? { dpop } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Only the prompt values OpenID Connect defines are passed on. */
export function parsePrompt(value: unknown): string | undefined {
  return typeof value === "string" && prompts.has(value) ? value : undefined;
}

/** Attributes shared by the playground's cookies: HttpOnly, SameSite=Lax (the IdP's redirect back is a top-level GET). */
export function cookieAttributes(publicUrl: string, maxAge: number) {
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: publicUrl.startsWith("https:"),
    path: "/playground",
    maxAge,
  };
}

/**
 * The scopes a form chose, kept only when the client may request them (`allowed`); `openid` always (the
 * playground verifies an ID token). Answers them in the allowed list's order.
 */
export function chosenScope(values: unknown[], allowed: string[]): string {
  const picked = new Set(values.filter((v): v is string => typeof v === "string"));
  picked.add("openid");
  return allowed.filter((s) => picked.has(s)).join(" ");
}
