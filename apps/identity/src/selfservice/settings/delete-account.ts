import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { isJsonRequest } from "../../http/request.ts";
import { audit } from "../../audit/audit.ts";
import { deleteIdentityIn } from "../../identity/erasure.ts";
import { type ActiveSession, clearSessionCookie } from "../../session/session.ts";
import { uiUrl } from "../flow/common.ts";
import type { FlowRow } from "../flow/repository.ts";

/*
 * Deleting one's own account (Olympus-only: Kratos has no self-service deletion). It is a settings
 * method, `method=delete_account`, so it passes every check a settings submission does before it gets
 * here: a session, the flow's CSRF token, the flow belonging to that session's identity, the required
 * AAL, an unexpired flow, and the privileged window (a recent sign-in). What it erases is what the
 * admin API's DELETE /admin/identities/{id} erases, through the same path.
 */

/** The settings method that deletes the signed-in identity. */
export const DELETE_ACCOUNT = "delete_account";

/** Where the browser goes once the account is gone. */
export function accountDeletedUrl(ctx: AppContext): string {
  const configured = ctx.config.selfservice.flows.settings.delete_account.ui_url;
  return configured ?? new URL("/account-deleted", uiUrl(ctx, "settings")).toString();
}

/**
 * Erases the session's identity and ends its sessions (the OAuth2 login sessions tied to them too),
 * audits it, and clears the session cookie. Answers 204 to API flows, `continue_with` to a browser
 * asking for JSON, and a redirect to the "account deleted" page otherwise.
 */
export async function deleteOwnAccount(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  session: ActiveSession,
): Promise<Response> {
  const id = session.identity.identity.id;
  const ended = (await ctx.db.transaction((tx) => deleteIdentityIn(tx, ctx, id))) ?? [];
  for (const sid of ended) await ctx.hydra.sessionEnded(sid);
  await audit(ctx, c, {
    event: "settings.account.deleted",
    actor: id,
    target: id,
    metadata: { flow_id: row.id, sessions_revoked: ended.length },
  });
  ctx.log.info("identity deleted by its owner", { identity_id: id });
  if (row.type === "api") return c.body(null, 204);
  clearSessionCookie(c, ctx);
  const next = accountDeletedUrl(ctx);
  if (isJsonRequest(c)) {
    return c.json({ continue_with: [{ action: "redirect_browser_to", redirect_browser_to: next }] });
  }
  return c.redirect(next, 303);
}
