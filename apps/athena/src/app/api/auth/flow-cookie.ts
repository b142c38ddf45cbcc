import type { Domain } from "@/lib/env";

/** The OAuth2 flow state lives 10 minutes, per domain so two instances' sign-ins do not collide. */
export const FLOW_COOKIE_MAX_AGE = 600;
export const flowCookieName = (domain: Domain) => `athena-auth-${domain}`;
