import type { OAuth2ConsentRequest } from "@ory/client-fetch";

/**
 * Whether an existing identity session may answer an OAuth2 login request without asking the user
 * again: not when the client sent `prompt=login`, nor when the session is older than `max_age`.
 */
export function sessionSatisfies(
  requestUrl: string | undefined,
  authenticatedAt: Date | undefined,
  now = Date.now(),
): boolean {
  let q: URLSearchParams;
  try {
    q = new URL(requestUrl ?? "").searchParams;
  } catch {
    return true;
  }
  if ((q.get("prompt") ?? "").split(" ").includes("login")) return false;
  const maxAge = q.get("max_age");
  if (maxAge !== null) {
    const seconds = Number(maxAge);
    if (!Number.isFinite(seconds) || !authenticatedAt) return false;
    return now - authenticatedAt.getTime() <= seconds * 1000;
  }
  return true;
}

/** Consent needs no screen when the user already granted it (`skip`) or the client is first-party. */
export function consentIsAutomatic(request: OAuth2ConsentRequest): boolean {
  return Boolean(request.skip || request.client?.skip_consent);
}
