import type { UiNode } from "@ory/client-fetch";
import { describe, expect, it } from "vitest";
import { withCaptchaNodes } from "./captcha";

const csrf: UiNode = {
  type: "input",
  group: "default",
  attributes: { node_type: "input", name: "csrf_token", type: "hidden", value: "t", disabled: false },
  messages: [],
  meta: {},
};

describe("withCaptchaNodes", () => {
  it("adds Ory's Turnstile nodes for elements to render", () => {
    const flow = withCaptchaNodes({ ui: { nodes: [csrf] } }, { siteKey: "0x4AAA", action: "login" });
    const captcha = flow.ui.nodes.filter((n) => n.group === "captcha");
    expect(captcha.map((n) => (n.attributes as { name: string }).name)).toEqual([
      "captcha_turnstile_options",
      "transient_payload.captcha_turnstile_response",
    ]);
    const options = JSON.parse((captcha[0]!.attributes as { value: string }).value);
    expect(options).toMatchObject({
      sitekey: "0x4AAA",
      action: "login",
      response_field_name: "transient_payload.captcha_turnstile_response",
    });
  });
  it("leaves a flow alone when the core already sent captcha nodes", () => {
    const own: UiNode = { ...csrf, group: "captcha" };
    const flow = { ui: { nodes: [csrf, own] } };
    expect(withCaptchaNodes(flow, { siteKey: "k", action: "login" })).toBe(flow);
  });
});
