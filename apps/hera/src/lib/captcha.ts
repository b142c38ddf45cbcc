import type { UiNode } from "@ory/client-fetch";

const RESPONSE_FIELD = "transient_payload.captcha_turnstile_response";

/** Flows that carry a captcha on this platform (login, sign-up and recovery: the ones bots abuse). */
export const CAPTCHA_FLOWS = new Set(["login", "registration", "recovery"]);

/**
 * Adds the `captcha` group nodes Ory emits for Cloudflare Turnstile when the core did not, so
 * @ory/elements-react renders the widget and sends its token as
 * `transient_payload.captcha_turnstile_response`. Verifying that token is the core's job.
 */
export function withCaptchaNodes<T extends { ui: { nodes: UiNode[] } }>(
  flow: T,
  opts: { siteKey: string; action: string },
): T {
  if (flow.ui.nodes.some((n) => n.group === "captcha")) return flow;
  const hidden = (name: string, value: string): UiNode => ({
    type: "input",
    group: "captcha",
    attributes: { node_type: "input", name, type: "hidden", value, disabled: false },
    messages: [],
    meta: {},
  });
  const options = JSON.stringify({
    sitekey: opts.siteKey,
    action: opts.action,
    theme: "light",
    response_field_name: RESPONSE_FIELD,
  });
  return {
    ...flow,
    ui: {
      ...flow.ui,
      nodes: [...flow.ui.nodes, hidden("captcha_turnstile_options", options), hidden(RESPONSE_FIELD, "")],
    },
  };
}
