import type { Context, Hono } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { FullIdentity } from "../../identity/repository.ts";
import { canEncrypt } from "../../security/crypto.ts";
import { OryError } from "../../errors/index.ts";
import { storeSelfServiceError } from "../errors/forward.ts";
import { type FlowRow, updateFlow } from "../flow/repository.ts";
import { text } from "../flow/text.ts";
import type { UiContainer } from "../flow/ui.ts";
import { loginFlowsOf } from "../login/routes.ts";
import { workingFlow } from "../flow/lifecycle.ts";
import type { LoginData } from "../strategy/types.ts";
import { currentSession } from "../../session/session.ts";
import { withMfaSettings } from "../mfa/settings.ts";
import { registrationWire } from "../registration/routes.ts";
import { settingsUi, settingsUiUrl, settingsWire } from "../settings/flow.ts";
import { respondWithFlow } from "../flow/common.ts";
import { isJsonRequest } from "../../http/request.ts";
import { resetMessages } from "../flow/ui.ts";
import {
  type CallbackDeps,
  handleCallback,
  oidcProviders,
  startOidc,
  submitPendingRegistration,
} from "./strategy.ts";

/** Settings after a link or unlink: saved, the UI rebuilt for the identity as it now is. */
export async function settingsDone(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  identity: FullIdentity,
): Promise<Response> {
  const ui: UiContainer = await withMfaSettings(
    ctx,
    identity,
    { ...settingsUi(ctx, identity), action: row.ui.action, messages: [text.settingsSaved()] },
    row,
  );
  await updateFlow(ctx.db, row.id, { ui, state: "success" });
  const fresh: FlowRow = { ...row, ui, state: "success", updatedAt: new Date() };
  if (row.type === "api" || isJsonRequest(c)) return c.json(settingsWire(c, ctx, fresh, identity));
  return c.redirect(row.returnTo ?? settingsUiUrl(ctx, row.id), 303);
}

export const callbackDeps: CallbackDeps = {
  async authenticated(c, ctx, row, identity, method) {
    const flows = loginFlowsOf(ctx);
    if (!flows) throw new Error("login routes are not registered");
    const outcome = { type: "authenticated" as const, identity, method };
    return flows.authenticated(c, workingFlow<LoginData>(row), outcome, await currentSession(c, ctx));
  },
  settingsDone,
};

/** Registration submitted with `provider`: completes a pending sign-up, or starts the redirect dance. */
export async function submitOidcRegistration(
  c: Context,
  ctx: AppContext,
  row: FlowRow,
  body: Record<string, unknown>,
): Promise<Response> {
  const fail = async (ui: UiContainer): Promise<Response> => {
    await updateFlow(ctx.db, row.id, { ui });
    const fresh = { ...row, ui, updatedAt: new Date() };
    return respondWithFlow(c, ctx, fresh, registrationWire(c, ctx, fresh), 400);
  };
  const done = await submitPendingRegistration(c, ctx, row, body, callbackDeps, fail);
  if (done) return done;
  return startOidc(c, ctx, row, body.provider, resetMessages(row.ui), fail);
}

/** Warns at start about what the providers lack (their mappers are checked by checkMappers). */
function checkProviders(ctx: AppContext): void {
  if (oidcProviders(ctx).length && !canEncrypt(ctx)) {
    ctx.log.warn(
      "oidc: secrets.cipher is not configured, so upstream tokens are not kept (include_credential=oidc shows them empty)",
    );
  }
}

/** The upstream's way back: GET, or POST (form_post providers such as Apple) turned into a GET. */
export function registerOidcRoutes(app: Hono, ctx: AppContext): void {
  checkProviders(ctx);
  const path = "/self-service/methods/oidc/callback/:provider";
  app.get(path, async (c) => {
    try {
      return await handleCallback(c, ctx, callbackDeps);
    } catch (e) {
      if (!(e instanceof OryError)) throw e;
      // A browser navigation: the error page, as Kratos' error manager does, when one is configured.
      const uiUrl = ctx.config.selfservice.flows.error.ui_url;
      if (!uiUrl) return c.json(e.toBody(), e.code as 400);
      const id = await storeSelfServiceError(ctx.db, e.toBody().error as unknown as Record<string, unknown>);
      const to = new URL(uiUrl);
      to.searchParams.set("id", id);
      return c.redirect(to.toString(), 303);
    }
  });
  // A cross-site POST carries no SameSite=Lax cookie; the 303 to our own GET does.
  app.post(path, async (c) => {
    const ct = (c.req.header("content-type") ?? "").toLowerCase();
    if (!ct.startsWith("application/x-www-form-urlencoded")) {
      return c.json(
        new OryError(415, "The request content type is not supported", {
          reason: "The callback expects application/x-www-form-urlencoded.",
        }).toBody(),
        415,
      );
    }
    const form = new URLSearchParams(await c.req.text());
    const to = new URL(c.req.url);
    for (const [k, v] of form) if (k.length <= 64 && v.length <= 8192) to.searchParams.set(k, v);
    const publicPath = `${to.pathname.replace(/^\//, "")}${to.search}`;
    const { urlJoin } = await import("../../app/runtime.ts");
    return c.redirect(urlJoin(ctx.rt.publicBaseUrl, publicPath), 303);
  });
}
