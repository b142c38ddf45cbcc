import { createHash } from "node:crypto";
import type { Hono } from "hono";
import { urlJoin } from "../../app/runtime.ts";
import type { AppContext } from "../../app/context.ts";
import type { UiNode } from "../flow/ui.ts";

/*
 * The browser side of WebAuthn, served where Kratos serves it (`/.well-known/ory/webauthn.js`) and
 * named by a `webauthn_script` node with its SRI hash. UIs call its functions through the node
 * attributes Kratos sets (`onclickTrigger` / `onloadTrigger` for @ory/elements-react 1.x, the
 * `onclick` / `onload` strings for older UIs):
 *
 *   oryPasskeyLogin / oryPasskeyLoginAutocompleteInit  passkey_challenge → get() → passkey_login
 *   oryPasskeyRegistration                             passkey_create_data → create() → passkey_register
 *   oryPasskeySettingsRegistration                     passkey_create_data → create() → passkey_settings_register
 *   oryWebAuthnLogin                                   webauthn_login_trigger value → get() → webauthn_login
 *   oryWebAuthnRegistration                            webauthn_register_trigger value → create() → webauthn_register
 *
 * Each fills the hidden field with the credential as JSON (base64url fields) and submits the form
 * natively; the core picks the method from the field that is filled. The `__ory…` names are the
 * older aliases some UIs still call.
 */

export const WEBAUTHN_SCRIPT_PATH = ".well-known/ory/webauthn.js";

export const WEBAUTHN_SCRIPT = `(function () {
  "use strict";
  if (typeof window === "undefined" || window.__oryWebAuthnInitialized) return;

  function decode(s) {
    var b = atob(String(s).replace(/-/g, "+").replace(/_/g, "/"));
    var out = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
    return out;
  }
  function encode(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  }
  function field(name) {
    return document.getElementsByName(name)[0];
  }
  function withIds(list) {
    return (list || []).map(function (c) {
      return Object.assign({}, c, { id: decode(c.id) });
    });
  }
  function creationOptions(publicKey) {
    var pk = Object.assign({}, publicKey);
    pk.challenge = decode(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: decode(pk.user.id) });
    if (pk.excludeCredentials) pk.excludeCredentials = withIds(pk.excludeCredentials);
    return pk;
  }
  function requestOptions(publicKey) {
    var pk = Object.assign({}, publicKey);
    pk.challenge = decode(pk.challenge);
    if (pk.allowCredentials) pk.allowCredentials = withIds(pk.allowCredentials);
    return pk;
  }
  function created(cred) {
    var r = cred.response;
    return JSON.stringify({
      id: cred.id,
      rawId: encode(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: {
        attestationObject: encode(r.attestationObject),
        clientDataJSON: encode(r.clientDataJSON),
        transports: typeof r.getTransports === "function" ? r.getTransports() : undefined
      },
      clientExtensionResults: {}
    });
  }
  function asserted(cred) {
    var r = cred.response;
    return JSON.stringify({
      id: cred.id,
      rawId: encode(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      response: {
        authenticatorData: encode(r.authenticatorData),
        clientDataJSON: encode(r.clientDataJSON),
        signature: encode(r.signature),
        userHandle: r.userHandle ? encode(r.userHandle) : undefined
      },
      clientExtensionResults: {}
    });
  }
  function submit(el) {
    var form = el && el.closest("form");
    // A native submission (no submitter): the filled hidden field tells the core the method. The
    // prototype's submit still works when a field named "submit" shadows form.submit.
    if (form) HTMLFormElement.prototype.submit.call(form);
  }
  function supported() {
    if (!window.PublicKeyCredential) {
      console.error("[webauthn] this browser does not support WebAuthn");
      return false;
    }
    return true;
  }
  function abortConditional() {
    if (window.abortPasskeyConditionalUI) {
      window.abortPasskeyConditionalUI.abort("a passkey ceremony was started by a button");
      window.abortPasskeyConditionalUI = undefined;
    }
  }

  function passkeyLogin() {
    var data = field("passkey_challenge"), result = field("passkey_login");
    if (!data || !result || !data.value || !supported()) return;
    abortConditional();
    var opt = JSON.parse(data.value);
    navigator.credentials
      .get({ publicKey: requestOptions(opt.publicKey) })
      .then(function (cred) {
        result.value = asserted(cred);
        submit(result);
      })
      .catch(function (err) {
        console.error("[webauthn] passkey sign-in failed", err);
        passkeyLoginAutocompleteInit();
      });
  }

  function passkeyLoginAutocompleteInit() {
    var data = field("passkey_challenge"), result = field("passkey_login");
    if (!data || !result || !data.value || !window.PublicKeyCredential) return Promise.resolve();
    var cma = window.PublicKeyCredential.isConditionalMediationAvailable;
    if (typeof cma !== "function") return Promise.resolve();
    return cma.call(window.PublicKeyCredential).then(function (ok) {
      if (!ok) return;
      abortConditional();
      var controller = new AbortController();
      window.abortPasskeyConditionalUI = controller;
      var opt = JSON.parse(data.value);
      return navigator.credentials
        .get({ publicKey: requestOptions(opt.publicKey), mediation: "conditional", signal: controller.signal })
        .then(function (cred) {
          result.value = asserted(cred);
          submit(result);
        })
        .catch(function (err) {
          if (!controller.signal.aborted) console.debug("[webauthn] conditional passkey sign-in ended", err);
        });
    });
  }

  function register(dataName, resultName, pickOptions) {
    var data = field(dataName), result = field(resultName);
    if (!data || !result || !data.value || !supported()) return;
    var opt = pickOptions(JSON.parse(data.value), data);
    navigator.credentials
      .create({ publicKey: creationOptions(opt.publicKey) })
      .then(function (cred) {
        result.value = created(cred);
        submit(result);
      })
      .catch(function (err) {
        console.error("[webauthn] creating the credential failed", err);
      });
  }

  function passkeyRegistration() {
    register("passkey_create_data", "passkey_register", function (d, el) {
      var opt = d.credentialOptions || d;
      var nameField = d.displayNameFieldName && el.closest("form")
        ? el.closest("form").querySelector("[name='" + d.displayNameFieldName + "']")
        : null;
      if (nameField && nameField.value) {
        opt.publicKey.user.name = nameField.value;
        opt.publicKey.user.displayName = nameField.value;
      }
      return opt;
    });
  }

  function passkeySettingsRegistration() {
    register("passkey_create_data", "passkey_settings_register", function (d) {
      return d.credentialOptions || d;
    });
  }

  function fromTrigger(name, options) {
    if (options && options.publicKey) return options;
    var trigger = field(name);
    return trigger && trigger.value ? JSON.parse(trigger.value) : undefined;
  }

  function webAuthnLogin(options) {
    var opt = fromTrigger("webauthn_login_trigger", options), result = field("webauthn_login");
    if (!opt || !result || !supported()) return;
    navigator.credentials
      .get({ publicKey: requestOptions(opt.publicKey) })
      .then(function (cred) {
        result.value = asserted(cred);
        submit(result);
      })
      .catch(function (err) {
        console.error("[webauthn] security key sign-in failed", err);
      });
  }

  function webAuthnRegistration(options) {
    var opt = fromTrigger("webauthn_register_trigger", options), result = field("webauthn_register");
    if (!opt || !result || !supported()) return;
    navigator.credentials
      .create({ publicKey: creationOptions(opt.publicKey) })
      .then(function (cred) {
        result.value = created(cred);
        submit(result);
      })
      .catch(function (err) {
        console.error("[webauthn] adding the security key failed", err);
      });
  }

  var api = {
    oryPasskeyLogin: passkeyLogin,
    oryPasskeyLoginAutocompleteInit: passkeyLoginAutocompleteInit,
    oryPasskeyRegistration: passkeyRegistration,
    oryPasskeySettingsRegistration: passkeySettingsRegistration,
    oryWebAuthnLogin: webAuthnLogin,
    oryWebAuthnRegistration: webAuthnRegistration
  };
  Object.keys(api).forEach(function (name) {
    window[name] = api[name];
    window["__" + name] = api[name];
  });
  window.__oryWebAuthnInitialized = true;
})();
`;

export const WEBAUTHN_SCRIPT_INTEGRITY = `sha512-${createHash("sha512").update(WEBAUTHN_SCRIPT).digest("base64")}`;

/** The `webauthn_script` node (group webauthn), as Kratos adds it to every flow that uses WebAuthn. */
export function webauthnScriptNode(ctx: AppContext): UiNode {
  return {
    type: "script",
    group: "webauthn",
    attributes: {
      src: urlJoin(ctx.rt.publicBaseUrl, WEBAUTHN_SCRIPT_PATH),
      async: true,
      referrerpolicy: "no-referrer",
      crossorigin: "anonymous",
      integrity: WEBAUTHN_SCRIPT_INTEGRITY,
      type: "text/javascript",
      id: "webauthn_script",
      node_type: "script",
    },
    messages: [],
    meta: {},
  };
}

export function registerWebAuthnScriptRoute(app: Hono): void {
  app.get("/.well-known/ory/webauthn.js", (c) =>
    c.body(WEBAUTHN_SCRIPT, 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "public, max-age=300",
      "access-control-allow-origin": "*",
      "cross-origin-resource-policy": "cross-origin",
      "x-content-type-options": "nosniff",
    }),
  );
}
