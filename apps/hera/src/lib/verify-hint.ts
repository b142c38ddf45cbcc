/**
 * "Account not active yet" at sign-in leads to verification with the address already filled in. The
 * address travels in a short-lived, HttpOnly cookie scoped to /verification (the core's redirect back
 * to Hera carries only the flow id).
 */
export const VERIFY_HINT_COOKIE = "hera_verify_hint";
export const VERIFY_HINT_MAX_AGE = 600;

/** The login page's form that the "send me a verification code" button submits. */
export const RESEND_FORM_ID = "hera-verification-resend";

/** Kratos' "Account not active yet. Did you forget to verify your email address?" */
export const ADDRESS_NOT_VERIFIED = 4000010;

/** An email address as a hint: trimmed, bounded, one line, or undefined when it is not one. */
export function emailHint(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const v = value.trim();
  if (v.length > 320 || !/^[^\s@<>"]+@[^\s@<>"]+$/.test(v)) return undefined;
  return v;
}

/** The hint in a Cookie header, when it holds an email address. */
export function hintFromCookieHeader(cookieHeader: string | null | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== VERIFY_HINT_COOKIE) continue;
    try {
      return emailHint(decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

interface HintableNode {
  group: string;
  attributes: { node_type: string; name?: string; type?: string; value?: unknown };
}

/** The verification form's email field filled with `email`, when the field is there and empty. */
export function prefillEmail<N extends HintableNode>(nodes: N[], email: string | undefined): N[] {
  if (!email) return nodes;
  return nodes.map((n) =>
    n.attributes.node_type === "input" && n.attributes.name === "email" && !n.attributes.value
      ? { ...n, attributes: { ...n.attributes, value: email } }
      : n,
  );
}
