import type { AppContext } from "../../app/context.ts";
import type { UiText } from "../flow/text.ts";
import { inputNode, type UiContainer, type UiNode } from "../flow/ui.ts";
import type { CreationOptions, RequestOptions } from "./ceremony.ts";
import { keyIdHex, type StoredWebAuthnKey } from "./credentials.ts";
import { webauthnScriptNode } from "./script.ts";

/*
 * The UI nodes Kratos emits for the `passkey` and `webauthn` groups, with the trigger attributes its
 * script and @ory/elements-react rely on (`onclickTrigger` / `onloadTrigger`, plus the older
 * `onclick` / `onload` strings), and Kratos' message ids and texts.
 */

const info = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "info", context } : { id, text, type: "info" };
const error = (id: number, text: string, context?: Record<string, unknown>): UiText =>
  context ? { id, text, type: "error", context } : { id, text, type: "error" };

const addedAt = (key: StoredWebAuthnKey) => ({
  display_name: key.display_name,
  added_at: key.added_at,
  added_at_unix: Math.floor(new Date(key.added_at).getTime() / 1000),
});

export const webauthnText = {
  loginWebAuthn: () => info(1010008, "Sign in with hardware key"),
  loginPasskey: () => info(1010021, "Sign in with passkey"),
  registerPasskey: () => info(1040007, "Sign up with passkey"),
  addSecurityKey: () => info(1050012, "Add security key"),
  securityKeyName: () => info(1050013, "Name of the security key"),
  removeSecurityKey: (key: StoredWebAuthnKey) =>
    info(1050018, `Remove security key "${key.display_name}"`, addedAt(key)),
  addPasskey: () => info(1050019, "Add passkey"),
  removePasskey: (key: StoredWebAuthnKey) =>
    info(1050020, `Remove passkey "${key.display_name}"`, addedAt(key)),
  noWebAuthnDevice: () => error(4000013, "You have no WebAuthn device set up."),
  noSuchWebAuthnUser: () => error(4000015, "This account does not exist or has no security key set up."),
  invalidCredentials: () =>
    error(
      4000006,
      "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.",
    ),
  generic: (reason: string) => error(4000001, reason, { reason }),
};

/** A button whose click runs a function of the WebAuthn script. */
function trigger(
  group: "passkey" | "webauthn",
  name: string,
  fn: string,
  label: UiText,
  value?: string,
): UiNode {
  const node = inputNode(group, name, "button", { value: value ?? "", label });
  node.attributes.onclick = `window.${fn}()`;
  node.attributes.onclickTrigger = fn;
  return node;
}

const hidden = (group: "passkey" | "webauthn", name: string, value?: string) =>
  inputNode(group, name, "hidden", value === undefined ? {} : { value });

/** Login, first factor: identifier-less passkey sign-in, by button and by autofill (conditional UI). */
export function passkeyLoginNodes(ctx: AppContext, options: RequestOptions): UiNode[] {
  const login = hidden("passkey", "passkey_login");
  login.attributes.onload = "window.oryPasskeyLoginAutocompleteInit()";
  login.attributes.onloadTrigger = "oryPasskeyLoginAutocompleteInit";
  return [
    hidden("passkey", "passkey_challenge", JSON.stringify(options)),
    webauthnScriptNode(ctx),
    login,
    trigger("passkey", "passkey_login_trigger", "oryPasskeyLogin", webauthnText.loginPasskey()),
  ];
}

/** Registration: a passkey instead of a password; the browser names the key after `displayNameField`. */
export function passkeyRegistrationNodes(
  ctx: AppContext,
  options: CreationOptions,
  displayNameField: string | undefined,
): UiNode[] {
  return [
    webauthnScriptNode(ctx),
    hidden("passkey", "passkey_register"),
    trigger("passkey", "passkey_register_trigger", "oryPasskeyRegistration", webauthnText.registerPasskey()),
    hidden(
      "passkey",
      "passkey_create_data",
      JSON.stringify({ credentialOptions: options, displayNameFieldName: displayNameField ?? "" }),
    ),
  ];
}

/** Settings: add a passkey, and remove each one the identity has. */
export function passkeySettingsNodes(
  ctx: AppContext,
  options: CreationOptions,
  keys: StoredWebAuthnKey[],
): UiNode[] {
  return [
    trigger(
      "passkey",
      "passkey_register_trigger",
      "oryPasskeySettingsRegistration",
      webauthnText.addPasskey(),
    ),
    ...keys.map((k) => {
      const n = inputNode("passkey", "passkey_remove", "submit", {
        value: keyIdHex(k),
        label: webauthnText.removePasskey(k),
      });
      return n;
    }),
    hidden("passkey", "passkey_settings_register"),
    hidden("passkey", "passkey_create_data", JSON.stringify(options)),
    webauthnScriptNode(ctx),
  ];
}

/** Login, second factor: a security key (options in the trigger's value, as Kratos sends them). */
export function webauthnLoginNodes(ctx: AppContext, options: RequestOptions): UiNode[] {
  return [
    webauthnScriptNode(ctx),
    trigger(
      "webauthn",
      "webauthn_login_trigger",
      "oryWebAuthnLogin",
      webauthnText.loginWebAuthn(),
      JSON.stringify(options),
    ),
    hidden("webauthn", "webauthn_login", ""),
  ];
}

/** Settings: name and add a security key, and remove each one the identity has. */
export function webauthnSettingsNodes(
  ctx: AppContext,
  options: CreationOptions,
  keys: StoredWebAuthnKey[],
): UiNode[] {
  return [
    ...keys.map((k) =>
      inputNode("webauthn", "webauthn_remove", "submit", {
        value: keyIdHex(k),
        label: webauthnText.removeSecurityKey(k),
      }),
    ),
    inputNode("webauthn", "webauthn_register_displayname", "text", {
      value: "",
      label: webauthnText.securityKeyName(),
    }),
    trigger(
      "webauthn",
      "webauthn_register_trigger",
      "oryWebAuthnRegistration",
      webauthnText.addSecurityKey(),
      JSON.stringify(options),
    ),
    hidden("webauthn", "webauthn_register", ""),
    webauthnScriptNode(ctx),
  ];
}

/** Replaces a group's nodes in a UI (and the shared script node once). */
export function replaceGroup(ui: UiContainer, group: "passkey" | "webauthn", nodes: UiNode[]): UiContainer {
  const kept = ui.nodes.filter(
    (n) =>
      n.group !== group &&
      !(n.attributes.id === "webauthn_script" && nodes.some((x) => x.attributes.id === "webauthn_script")),
  );
  return { ...ui, nodes: [...kept, ...nodes] };
}
