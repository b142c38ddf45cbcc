import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import type { FlowKind } from "../../db/schema.ts";
import { OryError } from "../../errors/index.ts";
import { isJsonRequest, readBody } from "../../http/request.ts";
import { setRetryAfter } from "../../security/lockout.ts";
import type { Body, FlowFailure, SubmitFlow } from "../strategy/types.ts";
import { createFlow, expiredFlowResponse, fetchFlowForSubmit, respondWithFlow } from "./common.ts";
import { type FlowRow, updateFlow } from "./repository.ts";
import type { UiText } from "./text.ts";
import { addMessage, addNodeMessage, resetMessages, type UiContainer } from "./ui.ts";

/*
 * The lifecycle every self-service flow shares, written once: load the flow of a submission (404 when
 * unknown), check its CSRF token (browser flows), answer an expired flow with a fresh one, show a flow
 * again with messages (400 + flow for JSON, 303 to the UI for browsers), and send the browser
 * elsewhere. What a flow kind adds is a `FlowSpec`: its wire shape and how to start over.
 */

export interface FlowSpec {
  kind: FlowKind;
  /** The flow on the wire (Kratos' LoginFlow, RegistrationFlow, …). */
  wire(c: Context, ctx: AppContext, row: FlowRow): Record<string, unknown>;
  /** The new flow that replaces an expired one: its UI (carrying the expiry message) and data. */
  renew(
    c: Context,
    ctx: AppContext,
    expired: FlowRow,
  ): { ui: Omit<UiContainer, "action">; data?: Record<string, unknown>; message: UiText };
}

export type Opened = { row: FlowRow; body: Body } | { response: Response };

/**
 * Opens a submission (`POST /self-service/<kind>?flow=`): reads the body, loads the flow and checks its
 * CSRF token. An expired flow is answered here (a new flow with the expiry message: 410 with
 * `use_flow_id` for JSON, a redirect for browsers).
 */
export async function openSubmission(c: Context, ctx: AppContext, spec: FlowSpec): Promise<Opened> {
  const body = await readBody(c);
  const row = await fetchFlowForSubmit(c, ctx, spec.kind, body);
  if (row.expiresAt > new Date()) return { row, body };
  const next = spec.renew(c, ctx, row);
  const ui = { ...next.ui, messages: [next.message] };
  const fresh = await createFlow(c, ctx, {
    kind: spec.kind,
    type: row.type,
    state: "choose_method",
    ui,
    returnTo: row.returnTo ?? undefined,
    ...(next.data ? { data: next.data } : {}),
    csrfHash: row.csrfHash,
  });
  return { response: expiredFlowResponse(c, ctx, row, fresh, next.message) };
}

/** The flow as strategies work on it: a copy of its UI with the previous messages cleared. */
export function workingFlow<D>(row: FlowRow): SubmitFlow<D> {
  return {
    id: row.id,
    type: row.type,
    row,
    expiresAt: row.expiresAt,
    returnTo: row.returnTo,
    identityId: row.identityId,
    ui: resetMessages(row.ui),
    state: row.state,
    data: structuredClone(row.data) as D,
  };
}

/** Puts a failure's messages on the flow's UI; a lockout sets Retry-After for JSON and API clients. */
export function applyFailure(
  c: Context,
  flow: SubmitFlow<unknown>,
  failure: Omit<FlowFailure, "type">,
): void {
  for (const m of failure.messages ?? []) addMessage(flow.ui, m);
  for (const [name, m] of failure.fields ?? []) addNodeMessage(flow.ui, name, m);
  if (failure.locked) setRetryAfter(c, failure.locked, flow.type === "api");
}

/** Stores the flow's working copy (UI, state, data) and shows it again. */
export async function showAgain(
  c: Context,
  ctx: AppContext,
  spec: FlowSpec,
  flow: SubmitFlow<unknown>,
  status: 200 | 400 = 400,
): Promise<Response> {
  const patch = {
    ui: flow.ui,
    ...(flow.state !== flow.row.state ? { state: flow.state } : {}),
    ...(JSON.stringify(flow.data) !== JSON.stringify(flow.row.data)
      ? { data: flow.data as Record<string, unknown> }
      : {}),
  };
  await updateFlow(ctx.db, flow.id, patch);
  const fresh: FlowRow = { ...flow.row, ...patch, updatedAt: new Date() };
  return respondWithFlow(c, ctx, fresh, spec.wire(c, ctx, fresh), status);
}

/**
 * Sends the browser to `url` to continue: a 303 for browsers posting forms, 422
 * browser_location_change_required for JSON clients (as Kratos answers SPAs).
 */
export function redirectBrowser(c: Context, url: string): Response {
  if (isJsonRequest(c)) {
    return c.json(
      new OryError(422, "browser location change required", {
        id: "browser_location_change_required",
        reason: `In order to complete this flow please redirect the browser to: ${url}`,
        extra: { redirect_browser_to: url },
      }).toBody(),
      422,
    );
  }
  return c.redirect(url, 303);
}
