import type { Context } from "hono";
import type { AppContext } from "../app/context.ts";
import type { UiText } from "../selfservice/flow/text.ts";
import { inputNode, type UiNode } from "../selfservice/flow/ui.ts";
import { requestIp } from "./ip.ts";
import { effectiveCaptcha } from "./overrides.ts";

/*
 * Cloudflare Turnstile, verified by the core (so calling the API directly cannot skip it). Flows carry
 * the two nodes @ory/elements-react renders the widget from: `captcha_turnstile_options` (JSON options
 * with the site key) and the hidden `transient_payload.captcha_turnstile_response` the widget fills.
 * Verification is fail-closed: when siteverify cannot be reached, the submission is refused.
 *
 * Cloudflare's public test keys: site key 1x00000000000000000000AA always passes, secret
 * 1x0000000000000000000000000000000AA always passes (2x…AB / 2x…AA always fail).
 */

export type CaptchaFlow = "login" | "registration" | "recovery";

const RESPONSE_FIELD = "transient_payload.captcha_turnstile_response";

export function captchaEnabled(ctx: AppContext, flow: CaptchaFlow): boolean {
  const cfg = effectiveCaptcha(ctx);
  return cfg.enabled && cfg.flows.includes(flow);
}

/** The captcha group nodes for a flow (empty when captcha is off for it). */
export function captchaNodes(ctx: AppContext, flow: CaptchaFlow): UiNode[] {
  if (!captchaEnabled(ctx, flow)) return [];
  const cfg = effectiveCaptcha(ctx);
  const options = JSON.stringify({
    sitekey: cfg.site_key,
    theme: cfg.theme,
    action: flow,
    response_field_name: RESPONSE_FIELD,
  });
  return [
    inputNode("captcha", RESPONSE_FIELD, "hidden", { value: "" }),
    inputNode("captcha", "captcha_turnstile_options", "hidden", { value: options }),
  ];
}

/** Appends the captcha nodes to a wire UI (nodes are added when a flow is sent, so config changes apply). */
export function withCaptcha<T extends { nodes: UiNode[] }>(ctx: AppContext, flow: CaptchaFlow, ui: T): T {
  const nodes = captchaNodes(ctx, flow);
  if (!nodes.length) return ui;
  return { ...ui, nodes: [...ui.nodes.filter((n) => n.group !== "captcha"), ...nodes] };
}

export function captchaFailed(): UiText {
  return { id: 4000038, text: "Captcha verification failed, please try again.", type: "error" };
}

function responseToken(body: Record<string, unknown>): string | undefined {
  const tp = body.transient_payload;
  const nested =
    tp && typeof tp === "object" && !Array.isArray(tp)
      ? (tp as Record<string, unknown>).captcha_turnstile_response
      : undefined;
  const v = nested ?? body["cf-turnstile-response"];
  return typeof v === "string" && v.length > 0 && v.length <= 4096 ? v : undefined;
}

/**
 * Verifies the Turnstile response in a submission. Returns the message to show when it does not pass
 * (missing, rejected, or siteverify unreachable), undefined when it passes or captcha is off.
 */
export async function verifyCaptcha(
  ctx: AppContext,
  c: Context,
  flow: CaptchaFlow,
  body: Record<string, unknown>,
): Promise<UiText | undefined> {
  if (!captchaEnabled(ctx, flow)) return undefined;
  const token = responseToken(body);
  if (!token) return captchaFailed();
  const cfg = effectiveCaptcha(ctx);
  const form = new URLSearchParams({ secret: cfg.secret_key ?? "", response: token });
  const ip = requestIp(c, ctx);
  if (ip !== "unknown") form.set("remoteip", ip);
  try {
    const res = await fetch(cfg.siteverify_url, {
      method: "POST",
      body: form,
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) {
      ctx.log.error("captcha siteverify answered an error; refusing (fail-closed)", { status: res.status });
      return captchaFailed();
    }
    const out = (await res.json()) as { success?: boolean; action?: string; "error-codes"?: string[] };
    if (out.success !== true) {
      ctx.log.info("captcha rejected", { flow, errors: out["error-codes"] });
      return captchaFailed();
    }
    if (out.action && out.action !== flow) {
      ctx.log.info("captcha solved for another action", { flow, action: out.action });
      return captchaFailed();
    }
    return undefined;
  } catch (e) {
    ctx.log.error("captcha siteverify unreachable; refusing (fail-closed)", { error: String(e) });
    return captchaFailed();
  }
}
