/**
 * Passwords follow the identity core's policy (lib/core/password-policy.ts); this is only the length
 * the forms assume until the core's is known (the core's default, min_password_length).
 */
export const PASSWORD_MIN_FALLBACK = 8;
/** At most this many identities in one bulk action. */
export const BULK_MAX = 100;
