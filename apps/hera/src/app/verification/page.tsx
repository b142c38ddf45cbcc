import { Verification } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";

export const metadata: Metadata = { title: "Verify your email address" };

export default async function VerificationPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  if (!env.verificationEnabled) notFound();
  const flow = await loadFlow("verification", toSearchParams(await props.searchParams));
  return (
    <>
      {flow.state === "sent_email" ? (
        <p className="hera-notice hera-verify-notice" role="status">
          Check your inbox: we sent you a 6-digit code and a link. Enter the code below, or open the link, to
          verify your email address. Both expire in one hour.
        </p>
      ) : null}
      <FlowView ui={flow.ui} title="Verify your email address" copy={copyFor(env)}>
        <Verification flow={flow} config={elementsConfig(env)} />
      </FlowView>
    </>
  );
}
