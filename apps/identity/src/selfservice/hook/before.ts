import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { OryError } from "../../errors/index.ts";
import { draftFlow, type NewFlowInput } from "../flow/common.ts";
import { type FlowRow, insertFlow } from "../flow/repository.ts";
import { allMessages, type HookFailure, runWebHooks } from "./index.ts";
import { queueWebHooks } from "./queue.ts";

/*
 * `selfservice.flows.<flow>.before.hooks`: run when a flow is created, before anything is stored or
 * returned (Kratos runs them between building the flow and persisting it). The receiver gets Kratos'
 * before context — `ctx.flow` (the flow about to be returned, CSRF token blanked), `request_headers`,
 * `request_method`, `request_url`; no identity. A refusal or a failed blocking hook answers the
 * creation with an Ory error instead of the flow; browsers are sent to the error UI with it
 * (selfservice/errors/forward.ts). Fire-and-forget calls are queued with the flow, in one transaction.
 */

/** The Ory error a failed before hook answers the flow's creation with (never a 500). */
export function beforeHookError(f: HookFailure): OryError {
  if (f.cause === "refused") {
    // Every message, the fields' too: no form exists yet to put them on.
    const messages = allMessages(f);
    return new OryError(403, "The requested action was forbidden", {
      reason: messages.map((m) => m.text).join(" ") || "A web hook refused to start this flow.",
      details: { messages },
    });
  }
  if (f.cause === "timed_out") {
    return new OryError(504, "An upstream service did not answer in time", {
      reason: "A third-party upstream service could not be reached. Please try again later.",
    });
  }
  return new OryError(502, "An upstream service answered improperly", {
    reason: "A third-party upstream service responded improperly. Please try again later.",
  });
}

/**
 * Creates a flow the way its init endpoint does: built, shown to the `before` web hooks, then stored
 * (with the fire-and-forget calls queued beside it). Throws the hook's Ory error when one stopped it.
 */
export async function createFlowWithHooks(
  c: Context,
  ctx: AppContext,
  input: NewFlowInput,
  /** The flow kind's wire shape (`ctx.flow` as the flow will be returned). */
  wire: (row: FlowRow) => Record<string, unknown>,
): Promise<FlowRow> {
  const draft = draftFlow(c, ctx, input);
  const run = await runWebHooks(c, ctx, {
    point: { flow: input.kind, phase: "before" },
    row: draft,
    wire: wire(draft),
  });
  if (run.type === "failed") throw beforeHookError(run);
  if (!run.deferred.length) return insertFlow(ctx.db, draft);
  const row = await ctx.db.transaction(async (tx) => {
    const saved = await insertFlow(tx, draft);
    await queueWebHooks(tx, ctx, run.deferred);
    return saved;
  });
  ctx.notifyCourier();
  return row;
}
