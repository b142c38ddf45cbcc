import type { AppContext } from "../../app/context.ts";
import type { ActiveSession } from "../../session/session.ts";

/** Whether the session was authenticated recently enough to change credentials and identifiers. */
export function isPrivileged(ctx: AppContext, session: ActiveSession["row"], now = Date.now()): boolean {
  const maxAge = ctx.config.selfservice.flows.settings.privileged_session_max_age;
  return session.authenticatedAt.getTime() + maxAge > now;
}
