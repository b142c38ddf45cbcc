"use client";
import type { RegistrationFlow, SettingsFlow } from "@ory/client-fetch";
import type { OryClientConfiguration } from "@ory/elements-react";
import { Registration, Settings } from "@ory/elements-react/theme";
import { heraComponents } from "@/components/sso-button";

/*
 * Elements' registration and settings cards with Hera's component overrides. The overrides are
 * functions, which a server component cannot hand to a client one, so the pages render these.
 */

export function RegistrationCard(props: { flow: RegistrationFlow; config: OryClientConfiguration }) {
  return <Registration flow={props.flow} config={props.config} components={heraComponents} />;
}

export function SettingsCard(props: { flow: SettingsFlow; config: OryClientConfiguration }) {
  return <Settings flow={props.flow} config={props.config} components={heraComponents} />;
}
