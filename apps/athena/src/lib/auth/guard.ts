import type { AthenaSession, Role } from "../session/seal";

/** What a request needs: reading the domain's data, or changing it. */
export type Need = "read" | "write";

/** Which roles may do what. `viewer` reads; only `admin` writes. */
export const PERMISSIONS: Record<Need, readonly Role[]> = {
  read: ["admin", "viewer"],
  write: ["admin"],
};

export type Denial = { ok: false; status: 401 | 403; code: string; message: string };
export type Decision = { ok: true; session: AthenaSession } | Denial;

/** The role decision alone: no session ⇒ 401; a role without the permission ⇒ 403. */
export function authorize(session: AthenaSession | undefined, need: Need): Decision {
  if (!session)
    return { ok: false, status: 401, code: "unauthenticated", message: "Sign in to Athena first." };
  if (!PERMISSIONS[need].includes(session.role)) {
    return {
      ok: false,
      status: 403,
      code: "forbidden",
      message: `The ${session.role} role may not do this: it needs ${PERMISSIONS[need].join(" or ")}.`,
    };
  }
  return { ok: true, session };
}

/** May this role change things? For hiding controls; the APIs decide on their own. */
export const canWrite = (session: AthenaSession | undefined): boolean => authorize(session, "write").ok;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request check for state-changing calls. On localhost every port is the same *site*, so
 * SameSite=Lax alone does not keep Hera or the Site (other ports) from posting to Athena: the
 * request must come from Athena's own origin (Origin header, or Sec-Fetch-Site: same-origin).
 */
export function checkOrigin(
  method: string,
  headers: { get(name: string): string | null },
  publicUrl: string,
): Denial | undefined {
  if (SAFE_METHODS.has(method.toUpperCase())) return undefined;
  const origin = headers.get("origin");
  const expected = new URL(publicUrl).origin;
  if (origin) {
    if (origin === expected) return undefined;
  } else if (headers.get("sec-fetch-site") === "same-origin") {
    return undefined;
  }
  return {
    ok: false,
    status: 403,
    code: "cross_origin_request",
    message: `State-changing requests must come from ${expected}.`,
  };
}

/**
 * With ATHENA_REQUIRE_SECOND_FACTOR on, a session whose IAM sign-in used no second factor (sealed
 * before the setting was turned on, say) is refused: 401, sign in again with one.
 */
export function checkAssurance(session: AthenaSession, requireSecondFactor: boolean): Denial | undefined {
  if (!requireSecondFactor || session.aal === "aal2") return undefined;
  return {
    ok: false,
    status: 401,
    code: "second_factor_required",
    message: "Athena requires a second factor: sign in again with your authenticator app or a backup code.",
  };
}

/** What the live role lookup found for a session's subject (undefined: no such identity). */
export type LiveRole = { role: Role | undefined; active: boolean } | undefined;

/**
 * Applies the administrator's role as IAM has it now (`metadata_admin.role`) to a sealed session:
 * the cookie's role is only what it was at sign-in, so a demoted, deactivated or deleted
 * administrator loses access at once rather than when the 8-hour cookie expires. Returns the
 * session carrying the live role, or the denial.
 */
export function applyLiveRole(session: AthenaSession, live: LiveRole, need: Need): Decision {
  if (!live?.active) {
    return {
      ok: false,
      status: 401,
      code: "session_revoked",
      message: "Your IAM account no longer exists or is inactive. Sign in again.",
    };
  }
  if (!live.role) {
    return {
      ok: false,
      status: 403,
      code: "no_role",
      message: "Your IAM account has no Athena role (admin or viewer) any more.",
    };
  }
  const d = authorize({ ...session, role: live.role }, need);
  if (!d.ok && live.role !== session.role)
    return { ...d, message: `Your role is now ${live.role}: ${d.message}` };
  return d;
}
