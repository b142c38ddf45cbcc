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
