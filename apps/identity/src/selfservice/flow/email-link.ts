import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import { selfserviceFlows } from "../../db/schema.ts";
import { ensureCsrf } from "../../security/csrf.ts";
import { expiredFlowResponse, respondWithFlow } from "./common.ts";
import { type FlowRow, findFlow } from "./repository.ts";
import type { UiText } from "./text.ts";

/*
 * Verification and recovery emails carry the 6-digit code and a link that submits it, as Kratos'
 * code method does: `<serve.public.base_url>/self-service/<kind>?flow=<id>&code=<code>`. A GET on
 * that link is a code submission like a POST (same counter, same limit, same outcome), minus the
 * CSRF token: the link is opened from a mail client, and the code itself is the proof.
 */

export type CodeLinkKind = "verification" | "recovery";

/** The link mailed next to a code. */
export function codeLink(ctx: AppContext, kind: CodeLinkKind, flowId: string, code: string): string {
  const url = new URL(urlJoin(ctx.rt.publicBaseUrl, `self-service/${kind}`));
  url.searchParams.set("flow", flowId);
  url.searchParams.set("code", code);
  return url.toString();
}

/** What a flow kind supplies to follow its links. */
export interface CodeLinkHandlers {
  /** Submits the code exactly as the kind's POST does, answering as it does (browsers: redirects). */
  submitCode(row: FlowRow, code: string): Promise<Response>;
  /** A fresh browser flow of the kind carrying `message`, inheriting `old`'s return_to. */
  startOver(message: UiText, old?: FlowRow): Promise<FlowRow>;
  wire(row: FlowRow): Record<string, unknown>;
  /** Messages: the link's flow does not exist, it expired, it was completed already. */
  unknownFlow(): UiText;
  expired(expiredAt: Date): UiText;
  alreadyCompleted(): UiText;
  /** The code was wrong (or used up) when the link was opened in another browser. */
  codeInvalid(): UiText;
  /**
   * Set when completing the flow signs the opener in (recovery): the link then works only in the
   * browser that asked for the code, and anywhere else nothing is submitted or counted — otherwise a
   * link opened by a mail scanner, or one an attacker sends a victim for the attacker's own account,
   * would sign that browser in. The message tells the opener why.
   */
  sameBrowserOnly?: () => UiText;
}

/**
 * GET `/self-service/<kind>?flow=&code=`. Answers undefined without a (non-empty) `code` (the route
 * keeps its other GET behaviour). A link is followed by a browser, though perhaps not the one that
 * started the flow: verification may complete there (verifying an address from a phone is common),
 * and the flow is bound to that browser only once the code was right, so its UI can show the result;
 * a wrong code leaves the flow where it was and starts the opener a flow of its own.
 */
export async function followCodeLink(
  c: Context,
  ctx: AppContext,
  kind: CodeLinkKind,
  h: CodeLinkHandlers,
): Promise<Response | undefined> {
  const code = c.req.query("code")?.trim();
  if (!code) return undefined;
  const stored = await findFlow(ctx.db, kind, c.req.query("flow"));
  if (!stored) {
    const fresh = await h.startOver(h.unknownFlow());
    return respondWithFlow(c, ctx, fresh, h.wire(fresh), 400);
  }
  const { hash } = ensureCsrf(c, ctx.config, ctx.rt);
  const sameBrowser = stored.type === "browser" && stored.csrfHash === hash;
  // Answered as a browser flow (a link is always opened in a browser, even for an app's flow).
  const row: FlowRow = { ...stored, type: "browser" };
  if (row.expiresAt <= new Date()) {
    const message = h.expired(row.expiresAt);
    const fresh = await h.startOver(message, row);
    return expiredFlowResponse(c, ctx, row, fresh, message);
  }
  if (row.state === "passed_challenge") {
    const fresh = await h.startOver(h.alreadyCompleted(), row);
    return respondWithFlow(c, ctx, fresh, h.wire(fresh), 400);
  }
  if (!sameBrowser && h.sameBrowserOnly) {
    const fresh = await h.startOver(h.sameBrowserOnly(), row);
    return respondWithFlow(c, ctx, fresh, h.wire(fresh), 400);
  }
  const res = await h.submitCode(row, code);
  if (sameBrowser) return res;
  // Another browser: bind the flow to it only when the code completed the flow.
  const [passed] = await ctx.db
    .update(selfserviceFlows)
    .set({ csrfHash: hash })
    .where(and(eq(selfserviceFlows.id, stored.id), eq(selfserviceFlows.state, "passed_challenge")))
    .returning({ id: selfserviceFlows.id });
  if (passed) return res;
  // The submission already moved the opener to a new flow of its own (too many attempts): keep that.
  const location = res.headers.get("location");
  const next = location ? new URL(location, ctx.rt.publicBaseUrl).searchParams.get("flow") : null;
  if (next && next !== stored.id) return res;
  const fresh = await h.startOver(h.codeInvalid(), row);
  return respondWithFlow(c, ctx, fresh, h.wire(fresh), 400);
}
