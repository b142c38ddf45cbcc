"use client";
import type {
  OryFlowComponentOverrides,
  OryNodeButtonProps,
  OryNodeSsoButtonProps,
} from "@ory/elements-react";
import { DefaultButtonSocial, getOryComponents } from "@ory/elements-react/theme";

/** The providers elements draws a logo for; any other (a generic OpenID provider) gets Hera's mark. */
const ELEMENTS_LOGOS = new Set([
  "apple",
  "auth0",
  "discord",
  "facebook",
  "github",
  "gitlab",
  "google",
  "linkedin",
  "microsoft",
  "slack",
  "spotify",
  "yandex",
  "x",
]);

/**
 * A neutral sign-in mark, hidden from assistive technology. Elements draws the provider's first
 * letter as text instead, which becomes part of the button's visible text ("OSign in with …") while
 * its accessible name is the label alone — axe's label-content-name-mismatch.
 */
function ProviderMark({ size = 16 }: { size?: number }) {
  return (
    <svg aria-hidden="true" focusable="false" width={size} height={size} viewBox="0 0 24 24" fill="none">
      <circle cx="12" cy="12" r="10" stroke="currentColor" strokeWidth="2" />
      <path d="M8 12h8m-3-3 3 3-3 3" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

const ElementsButton = getOryComponents().Node.Button;

/** A button's props, aria-busy while its submission runs (elements passes no ARIA attributes through its types). */
function busyProps(props: OryNodeButtonProps | OryNodeSsoButtonProps): OryNodeButtonProps["buttonProps"] {
  return {
    ...props.buttonProps,
    "aria-busy": props.isSubmitting || undefined,
  } as OryNodeButtonProps["buttonProps"];
}

/** Elements' social button, with Hera's mark for providers elements has no logo for. */
export function HeraSsoButton(props: OryNodeSsoButtonProps) {
  const key = String(props.node.attributes.value ?? "").split("-")[0] ?? "";
  const logos = ELEMENTS_LOGOS.has(key) ? {} : { [key]: ProviderMark };
  return <DefaultButtonSocial {...props} buttonProps={busyProps(props)} logos={logos} />;
}

/**
 * Elements' button; while its submission runs (elements disables it and shows a spinner) it is also
 * aria-busy, so assistive technology hears that something is happening.
 */
export function HeraButton(props: OryNodeButtonProps) {
  return <ElementsButton {...props} buttonProps={busyProps(props)} />;
}

/** Hera's overrides of elements' components, shared by every flow card. */
export const heraComponents = {
  Node: { SsoButton: HeraSsoButton, Button: HeraButton },
} satisfies OryFlowComponentOverrides;
