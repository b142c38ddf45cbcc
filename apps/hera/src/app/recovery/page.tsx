import { Recovery } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { loadFlow } from "@/lib/flows";
import { copyFor, elementsConfig } from "@/lib/ui-config";
import { FlowView } from "@/components/flow-view";

export const metadata: Metadata = { title: "Reset your password" };

export default async function RecoveryPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  if (!env.recoveryEnabled) notFound();
  const flow = await loadFlow("recovery", toSearchParams(await props.searchParams));
  return (
    <>
      <FlowView ui={flow.ui} title="Reset your password" copy={copyFor(env)}>
        <Recovery flow={flow} config={elementsConfig(env)} />
      </FlowView>
      <p className="hera-meta">
        Remembered it?{" "}
        <a className="hera-link" href="/login">
          Back to sign in
        </a>
      </p>
    </>
  );
}
