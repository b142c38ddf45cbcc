/*
 * Authentication method references (RFC 8176) for a session's methods, as the ID token's `amr` claim
 * carries them: `pwd` for a password, `otp` for one-time codes (TOTP, lookup secrets, emailed or texted
 * codes), `hwk` / `swk` for a WebAuthn key (hardware-bound, or a synced passkey whose key lives in
 * software), `user` when the authenticator tested the user's presence and verified them, and `mfa` once
 * two different factors were used.
 */

const BY_METHOD: Record<string, string[]> = {
  password: ["pwd"],
  totp: ["otp"],
  lookup_secret: ["otp"],
  code: ["otp"],
  oidc: ["fed"],
};

/** The references a WebAuthn ceremony earns. */
export function amrFor(
  method: "passkey" | "webauthn",
  info: { userVerified: boolean; backedUp: boolean },
): string[] {
  const key = info.backedUp ? "swk" : "hwk";
  return method === "passkey" || info.userVerified ? [key, "user"] : [key];
}

/** The `amr` of a session from its authentication methods (entries may carry their own `amr`). */
export function sessionAmr(methods: { method: string; amr?: unknown }[]): string[] {
  const out: string[] = [];
  const factors = new Set<string>();
  for (const m of methods) {
    const refs = Array.isArray(m.amr)
      ? m.amr.filter((x): x is string => typeof x === "string")
      : (BY_METHOD[m.method] ?? []);
    for (const r of refs) if (!out.includes(r)) out.push(r);
    factors.add(m.method === "lookup_secret" ? "totp" : m.method);
  }
  if (factors.size > 1 && !out.includes("mfa")) out.push("mfa");
  return out.length ? out : ["pwd"];
}
