import type { AppContext } from "../../app/context.ts";
import type { HookEntry } from "../../config/hooks.ts";

/** The flows that run hooks, as in `selfservice.flows.<flow>`. */
export type HookFlow = "login" | "registration" | "settings" | "recovery" | "verification";

/** Where hooks run: before a flow is created, or after it succeeded (with the method that did it). */
export interface HookPoint {
  flow: HookFlow;
  phase: "before" | "after";
  method?: string;
}

/** `registration.after.password`: the configuration key a point reads (for logs, audit and the queue). */
export function pointName(p: HookPoint): string {
  return [p.flow, p.phase, ...(p.phase === "after" && p.method ? [p.method] : [])].join(".");
}

/**
 * The hooks configured at a point, in order: `before.hooks`; after a method, its own
 * `after.<method>.hooks` when it lists any, else `after.hooks` (as the built-in hooks are read).
 */
export function hooksAt(ctx: AppContext, p: HookPoint): readonly HookEntry[] {
  const flow = ctx.config.selfservice.flows[p.flow];
  if (p.phase === "before") return flow.before.hooks;
  const perMethod = p.method ? (flow.after as Record<string, unknown>)[p.method] : undefined;
  const own =
    perMethod && typeof perMethod === "object" ? (perMethod as { hooks?: HookEntry[] }).hooks : undefined;
  return own?.length ? own : flow.after.hooks;
}
