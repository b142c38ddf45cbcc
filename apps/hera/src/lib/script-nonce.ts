import type { UiContainer } from "@ory/client-fetch";

/**
 * The flow's script nodes (the core's WebAuthn script for passkeys and security keys) carrying the
 * page's CSP nonce. Elements renders a script node as a `<script>` with the node's attributes, and
 * Hera's policy (`'strict-dynamic'` with a nonce) runs only scripts that carry the page's nonce: the
 * core's own random nonce would be refused, and with it every passkey button.
 */
export function withScriptNonce(ui: UiContainer, nonce: string | null | undefined): UiContainer {
  if (!nonce || !ui.nodes.some((n) => n.attributes.node_type === "script")) return ui;
  return {
    ...ui,
    nodes: ui.nodes.map((n) =>
      n.attributes.node_type === "script" ? { ...n, attributes: { ...n.attributes, nonce } } : n,
    ),
  };
}

/**
 * The WebAuthn script node shown under the `passkey` group when the flow offers passkeys and no
 * security key. The core (as Kratos) puts the script in the `webauthn` group even then, and elements'
 * card subtitle names every group it finds, so a sign-in page without security keys would promise "a
 * security key". Only the rendering changes: script nodes are never posted back.
 */
export function withScriptGroup(ui: UiContainer): UiContainer {
  const isScript = (n: UiContainer["nodes"][number]) => n.attributes.node_type === "script";
  const webauthnOffered = ui.nodes.some((n) => n.group === "webauthn" && !isScript(n));
  const passkeyOffered = ui.nodes.some((n) => n.group === "passkey");
  if (webauthnOffered || !passkeyOffered) return ui;
  return {
    ...ui,
    nodes: ui.nodes.map((n) => (isScript(n) && n.group === "webauthn" ? { ...n, group: "passkey" } : n)),
  };
}
