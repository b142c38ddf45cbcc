import type { Context, Hono, MiddlewareHandler } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { DbOrTx } from "../../db/client.ts";
import { type FlowKind, selfserviceErrors } from "../../db/schema.ts";
import { isJsonRequest } from "../../http/request.ts";
import { uuid } from "../../security/random.ts";
import { findFlow } from "../flow/repository.ts";

/*
 * Kratos's error manager: when a browser (not a JSON client) calls a self-service endpoint meant for
 * browsers and the call fails with an error that is not a form validation (those come back inside the
 * flow), the error is stored and the browser is sent (303) to `selfservice.flows.error.ui_url?id=`,
 * whose page reads it back through `GET /self-service/errors?id=`. JSON clients, API flows and every
 * other endpoint keep the error body. Without a configured error UI there is nowhere to send a browser
 * to, so the body is kept too.
 */

const KINDS = "login|registration|settings|recovery|verification";
/** GET init endpoints, the logout link and the recovery link: only browsers navigate to them. */
const BROWSER_GET = new RegExp(`^/self-service/(?:(?:${KINDS})/browser|logout|recovery|verification)$`);
/** Flow submissions: browser flows only (API flows always answer JSON, as in Kratos). */
const SUBMIT = new RegExp(`^/self-service/(${KINDS})$`);

/** Stores an error (the inner `error` object of the Ory body) for the error UI; returns its id. */
export async function storeSelfServiceError(db: DbOrTx, error: Record<string, unknown>): Promise<string> {
  const id = uuid();
  const now = new Date();
  await db.insert(selfserviceErrors).values({ id, error, createdAt: now, updatedAt: now });
  return id;
}

/** The flow kind a failed request submitted to, when the request is one a browser sends. */
function browserEndpoint(c: Context): { submitted?: FlowKind } | undefined {
  const path = c.req.path;
  if (c.req.method === "GET") return BROWSER_GET.test(path) ? {} : undefined;
  if (c.req.method !== "POST") return undefined;
  const m = SUBMIT.exec(path);
  return m ? { submitted: m[1] as FlowKind } : undefined;
}

async function forwardToErrorUi(c: Context, ctx: AppContext, uiUrl: string, submitted?: FlowKind) {
  const failed = c.res;
  // 503: the database is unreachable, so the error could not be stored either.
  if (failed.status < 400 || failed.status === 503 || isJsonRequest(c)) return;
  if (submitted) {
    const flow = await findFlow(ctx.db, submitted, c.req.query("flow"));
    if (flow?.type === "api") return;
  }
  let error: Record<string, unknown>;
  try {
    const body = (await failed.clone().json()) as { error?: unknown };
    if (typeof body.error !== "object" || body.error === null) return;
    error = body.error as Record<string, unknown>;
  } catch {
    return;
  }
  let id: string;
  try {
    id = await storeSelfServiceError(ctx.db, error);
  } catch (err) {
    // The browser still gets the error, as JSON.
    ctx.log.error("self-service error not stored", { path: c.req.path, error: String(err) });
    return;
  }
  const to = new URL(uiUrl);
  to.searchParams.set("id", id);
  c.res = new Response(null, { status: 303, headers: { Location: to.toString() } });
}

/** Middleware for the public app (register before the flow routes): browser errors go to the error UI. */
export function forwardBrowserErrors(ctx: AppContext): MiddlewareHandler {
  return (c, next) => {
    const uiUrl = ctx.config.selfservice.flows.error.ui_url;
    const endpoint = uiUrl ? browserEndpoint(c) : undefined;
    if (!uiUrl || !endpoint) return next();
    return (async () => {
      await next();
      // Hono's compose sets c.error when a handler threw and onError answered for it.
      if (c.error) await forwardToErrorUi(c, ctx, uiUrl, endpoint.submitted);
    })();
  };
}

export function registerSelfServiceErrors(app: Hono, ctx: AppContext): void {
  app.use("/self-service/*", forwardBrowserErrors(ctx));
}
