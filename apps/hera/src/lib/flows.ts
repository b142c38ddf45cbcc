import "server-only";
import type {
  LoginFlow,
  RecoveryFlow,
  RegistrationFlow,
  SettingsFlow,
  VerificationFlow,
} from "@ory/client-fetch";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { CAPTCHA_FLOWS, withCaptchaNodes } from "./captcha";
import { heraEnv } from "./env";
import { localizeUi } from "./i18n/flow";
import { requestLocale } from "./i18n/server";
import { browserInitPath, type FlowKind } from "./flow-urls";
import { browserCookie, clients, statusOf } from "./ory";
import { withScriptGroup, withScriptNonce } from "./script-nonce";

interface FlowOf {
  login: LoginFlow;
  registration: RegistrationFlow;
  recovery: RecoveryFlow;
  verification: VerificationFlow;
  settings: SettingsFlow;
}

function fetchFlow<K extends FlowKind>(kind: K, id: string, cookie: string): Promise<FlowOf[K]> {
  const api = clients(cookie).frontend;
  const req = { id, cookie };
  switch (kind) {
    case "login":
      return api.getLoginFlow(req) as Promise<FlowOf[K]>;
    case "registration":
      return api.getRegistrationFlow(req) as Promise<FlowOf[K]>;
    case "recovery":
      return api.getRecoveryFlow(req) as Promise<FlowOf[K]>;
    case "verification":
      return api.getVerificationFlow(req) as Promise<FlowOf[K]>;
    default:
      return api.getSettingsFlow({ ...req }) as Promise<FlowOf[K]>;
  }
}

/**
 * The flow named by `?flow=`, fetched with the browser's cookies. A missing id starts a new flow;
 * an unknown, expired or foreign one (404/410/403, or 401 for settings without a session)
 * restarts cleanly instead of showing an error.
 */
export async function loadFlow<K extends FlowKind>(kind: K, params: URLSearchParams): Promise<FlowOf[K]> {
  const id = params.get("flow");
  if (!id) redirect(browserInitPath(kind, params));
  let flow: FlowOf[K];
  try {
    flow = await fetchFlow(kind, id, await browserCookie());
  } catch (err) {
    const status = statusOf(err);
    if (status === 401 || status === 403 || status === 404 || status === 410) {
      redirect(browserInitPath(kind, params));
    }
    throw err;
  }
  const env = heraEnv();
  // The form in the page's language: translated field titles, the language trait as a choice.
  const ui = localizeUi(
    flow.ui,
    await requestLocale(),
    kind === "registration" || kind === "settings" ? kind : "other",
  );
  // The core's WebAuthn script runs under the page's CSP nonce (proxy.ts sets x-nonce), shown with
  // the method it serves.
  flow = { ...flow, ui: withScriptGroup(withScriptNonce(ui, (await headers()).get("x-nonce"))) };
  if (env.captcha.enabled && CAPTCHA_FLOWS.has(kind)) {
    return withCaptchaNodes(flow, { siteKey: env.captcha.siteKey, action: kind });
  }
  return flow;
}
