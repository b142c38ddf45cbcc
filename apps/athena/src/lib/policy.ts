/** Passwords an administrator sets for someone else are at least this long. */
export const PASSWORD_MIN = 12;
/** At most this many identities in one bulk action. */
export const BULK_MAX = 100;
