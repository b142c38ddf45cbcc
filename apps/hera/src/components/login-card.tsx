"use client";
import type { LoginFlow } from "@ory/client-fetch";
import { type OryClientConfiguration, type OryMessageContentProps, useOryFlow } from "@ory/elements-react";
import { DefaultMessage, Login } from "@ory/elements-react/theme";
import { createContext, useContext } from "react";
import { heraComponents } from "@/components/sso-button";
import { ADDRESS_NOT_VERIFIED, RESEND_FORM_ID } from "@/lib/verify-hint";

const ResendLabel = createContext("");

/**
 * A flow message as elements shows it; "Account not active yet" also offers the verification code it
 * is waiting for (a button of the page's resend form, carrying the identifier typed).
 */
function HeraMessage({ message }: OryMessageContentProps) {
  const label = useContext(ResendLabel);
  const { flow } = useOryFlow();
  if (message.id !== ADDRESS_NOT_VERIFIED || !label) return <DefaultMessage message={message} />;
  const identifier = flow.ui.nodes.find(
    (n) => n.attributes.node_type === "input" && n.attributes.name === "identifier",
  )?.attributes;
  const value =
    identifier && "value" in identifier && typeof identifier.value === "string" ? identifier.value : "";
  return (
    <>
      <DefaultMessage message={message} />
      <button
        type="submit"
        form={RESEND_FORM_ID}
        name="email"
        value={value}
        className="hera-button hera-secondary"
      >
        {label}
      </button>
    </>
  );
}

/** Elements' login card with Hera's message component; `resendLabel` empty when verification is off. */
export function LoginCard(props: { flow: LoginFlow; config: OryClientConfiguration; resendLabel: string }) {
  return (
    <ResendLabel.Provider value={props.resendLabel}>
      <Login
        flow={props.flow}
        config={props.config}
        components={{ ...heraComponents, Message: { Content: HeraMessage } }}
      />
    </ResendLabel.Provider>
  );
}
