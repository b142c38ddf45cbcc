import type { UiText } from "./text.ts";

export type UiNodeGroup =
  | "default"
  | "password"
  | "oidc"
  | "profile"
  | "link"
  | "code"
  | "totp"
  | "lookup_secret"
  | "webauthn"
  | "passkey"
  | "identifier_first"
  | "captcha";

export interface UiNodeInputAttributes {
  node_type: "input";
  name: string;
  type: string;
  value?: unknown;
  required?: boolean;
  disabled: boolean;
  autocomplete?: string;
  pattern?: string;
  maxlength?: number;
  label?: UiText;
}

export interface UiNode {
  type: "input" | "text" | "img" | "a" | "script" | "div";
  group: UiNodeGroup;
  attributes: Record<string, unknown> & { node_type: string };
  messages: UiText[];
  meta: { label?: UiText };
}

export interface UiContainer {
  action: string;
  method: "POST" | "GET";
  nodes: UiNode[];
  messages?: UiText[];
}

export interface InputOptions {
  value?: unknown;
  required?: boolean;
  disabled?: boolean;
  autocomplete?: string;
  pattern?: string;
  maxlength?: number;
  label?: UiText;
}

/** Builds an input node in the shape @ory/elements-react renders. */
export function inputNode(group: UiNodeGroup, name: string, type: string, opts: InputOptions = {}): UiNode {
  const attributes: UiNode["attributes"] = {
    name,
    type,
    disabled: opts.disabled ?? false,
    node_type: "input",
  };
  if (opts.value !== undefined) attributes.value = opts.value;
  if (opts.required) attributes.required = true;
  if (opts.autocomplete) attributes.autocomplete = opts.autocomplete;
  if (opts.pattern) attributes.pattern = opts.pattern;
  if (opts.maxlength !== undefined) attributes.maxlength = opts.maxlength;
  return { type: "input", group, attributes, messages: [], meta: opts.label ? { label: opts.label } : {} };
}

export function anchorNode(group: UiNodeGroup, id: string, href: string, title: UiText): UiNode {
  return {
    type: "a",
    group,
    attributes: { id, href, title, node_type: "a" },
    messages: [],
    meta: { label: title },
  };
}

export function csrfNode(value = ""): UiNode {
  return inputNode("default", "csrf_token", "hidden", { value, required: true });
}

/** Replaces the csrf_token node's value (masked per render) without mutating the stored UI. */
export function withCsrf(ui: UiContainer, masked: string): UiContainer {
  return {
    ...ui,
    nodes: ui.nodes.map((n) =>
      n.attributes.name === "csrf_token" && n.attributes.node_type === "input"
        ? { ...n, attributes: { ...n.attributes, value: masked } }
        : n,
    ),
  };
}

/** Finds the node for a field name. */
export function findNode(ui: UiContainer, name: string): UiNode | undefined {
  return ui.nodes.find((n) => n.attributes.name === name);
}

/** Clears all messages from the container and its nodes (done before re-validating a submission). */
export function resetMessages(ui: UiContainer): UiContainer {
  const { messages: _dropped, ...rest } = ui;
  return { ...rest, nodes: ui.nodes.map((n) => ({ ...n, messages: [] })) };
}

export function addMessage(ui: UiContainer, msg: UiText): void {
  ui.messages = [...(ui.messages ?? []), msg];
}

/** Attaches a message to the node with that name, or to the container when there is no such node. */
export function addNodeMessage(ui: UiContainer, name: string, msg: UiText): void {
  const node = findNode(ui, name);
  if (node) node.messages.push(msg);
  else addMessage(ui, msg);
}

/** Sets (or clears, with undefined) a node's value. Password values are never echoed back. */
export function setNodeValue(ui: UiContainer, name: string, value: unknown): void {
  const node = findNode(ui, name);
  if (!node || node.attributes.type === "password") return;
  if (value === undefined) delete node.attributes.value;
  else node.attributes.value = value;
}
