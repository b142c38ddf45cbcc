import { Registration } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";

export const metadata: Metadata = { title: "Create your account" };

export default async function RegistrationPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  // IAM has no self sign-up: accounts are created by administrators.
  if (!env.registrationEnabled) notFound();
  const flow = await loadFlow("registration", toSearchParams(await props.searchParams));
  return (
    <>
      {env.verificationEnabled ? (
        <p className="hera-notice">After you sign up we'll email you a code to verify your address.</p>
      ) : null}
      <FlowView ui={flow.ui} title="Create your account" copy={copyFor(env)}>
        <Registration flow={flow} config={elementsConfig(env)} />
      </FlowView>
    </>
  );
}
