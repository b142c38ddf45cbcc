import type { UiContainer, UiNode } from "@ory/client-fetch";
import { describe, expect, it } from "vitest";
import { withScriptGroup, withScriptNonce } from "./script-nonce";

const script: UiNode = {
  type: "script",
  group: "webauthn",
  attributes: {
    node_type: "script",
    id: "webauthn_script",
    src: "http://localhost:3000/.ory/.well-known/ory/webauthn.js",
    async: true,
    type: "text/javascript",
    crossorigin: "anonymous",
    integrity: "sha512-abc",
    referrerpolicy: "no-referrer",
    nonce: "core-nonce",
  },
  messages: [],
  meta: {},
};
const input: UiNode = {
  type: "input",
  group: "default",
  attributes: { node_type: "input", name: "csrf_token", type: "hidden", value: "t", disabled: false },
  messages: [],
  meta: {},
};
const ui = (nodes: UiNode[]): UiContainer => ({ action: "/a", method: "POST", nodes });

describe("withScriptNonce", () => {
  it("gives script nodes the page's nonce and leaves the rest as they are", () => {
    const out = withScriptNonce(ui([input, script]), "page-nonce");
    expect(out.nodes[0]).toBe(input);
    expect(out.nodes[1]?.attributes).toMatchObject({
      node_type: "script",
      nonce: "page-nonce",
      src: script.attributes.node_type === "script" ? script.attributes.src : "",
    });
    // The flow it came from is not changed.
    expect(script.attributes).toMatchObject({ nonce: "core-nonce" });
  });

  it("changes nothing without a nonce or without scripts", () => {
    const withScript = ui([script]);
    expect(withScriptNonce(withScript, null)).toBe(withScript);
    const noScript = ui([input]);
    expect(withScriptNonce(noScript, "n")).toBe(noScript);
  });
});

describe("withScriptGroup", () => {
  const passkeyButton: UiNode = {
    type: "input",
    group: "passkey",
    attributes: {
      node_type: "input",
      name: "passkey_login_trigger",
      type: "button",
      value: "",
      disabled: false,
    },
    messages: [],
    meta: {},
  };
  const keyButton: UiNode = {
    ...passkeyButton,
    group: "webauthn",
    attributes: { ...passkeyButton.attributes, name: "webauthn_login_trigger" } as UiNode["attributes"],
  };

  it("shows the script under passkey when the flow offers passkeys and no security key", () => {
    const out = withScriptGroup(ui([input, script, passkeyButton]));
    expect(out.nodes.map((n) => n.group)).toEqual(["default", "passkey", "passkey"]);
  });

  it("leaves the script in webauthn when security keys are offered, or when passkeys are not", () => {
    const both = ui([script, passkeyButton, keyButton]);
    expect(withScriptGroup(both)).toBe(both);
    const keysOnly = ui([script, keyButton]);
    expect(withScriptGroup(keysOnly)).toBe(keysOnly);
  });
});
