import type { Config } from "../../config/index.ts";
import { oidcLogin } from "../oidc/strategy.ts";
import { codeLogin, codeSecondFactor } from "./code/login.ts";
import { passkeyLogin } from "./passkey/login.ts";
import { passkeyRegistration } from "./passkey/registration.ts";
import { passkeySettings } from "./passkey/settings.ts";
import { passwordLogin } from "./password/login.ts";
import { webauthnLogin } from "./webauthn/login.ts";
import { webauthnSettings } from "./webauthn/settings.ts";
import type { LoginStrategy, RegistrationStrategy, SettingsStrategy } from "./types.ts";

/*
 * Every self-service method, in the order its nodes appear in a flow. A new method is one file that
 * exports its strategies and one entry per flow kind here; `selfservice.methods.<id>.enabled` turns it
 * on or off.
 */
const LOGIN: readonly LoginStrategy[] = [
  passwordLogin,
  codeLogin,
  passkeyLogin,
  codeSecondFactor,
  webauthnLogin,
  oidcLogin,
];
const REGISTRATION: readonly RegistrationStrategy[] = [passkeyRegistration];
const SETTINGS: readonly SettingsStrategy[] = [passkeySettings, webauthnSettings];

/** The enabled strategies of one core, per flow kind, in node order. */
declare module "../../app/context.ts" {
  interface AppContext {
    /** The self-service strategies the configuration enables, built once by app/create.ts. */
    strategies: Strategies;
  }
}

export interface Strategies {
  login: readonly LoginStrategy[];
  registration: readonly RegistrationStrategy[];
  settings: readonly SettingsStrategy[];
}

/** Whether `selfservice.methods.<id>.enabled` is on (a method without configuration is off). */
export function methodEnabled(config: Config, id: string): boolean {
  const methods = config.selfservice.methods as Record<string, { enabled?: boolean } | undefined>;
  return methods[id]?.enabled === true;
}

/** The strategies the configuration enables (configuration is fixed once a core is built). */
export function buildStrategies(config: Config): Strategies {
  const on = <S extends { id: string }>(list: readonly S[]) =>
    list.filter((s) => methodEnabled(config, s.id));
  return { login: on(LOGIN), registration: on(REGISTRATION), settings: on(SETTINGS) };
}

/** The strategy for a submitted `method`, if one is enabled. */
export function strategyFor<S extends { id: string }>(
  list: readonly S[],
  method: string | undefined,
): S | undefined {
  return method === undefined ? undefined : list.find((s) => s.id === method);
}
