import { Error as OryErrorView, type OryError } from "@ory/elements-react/theme";
import type { Metadata } from "next";
import { heraEnv } from "@/lib/env";
import { toSearchParams } from "@/lib/flow-urls";
import { clients, currentSession, statusOf } from "@/lib/ory";
import { elementsConfig } from "@/lib/ui-config";

export const metadata: Metadata = { title: "Something went wrong" };

/** The error the core (`?id=`) or the OAuth2 provider (`?error=&error_description=`) sent us here with. */
async function findError(params: URLSearchParams): Promise<OryError> {
  const id = params.get("id");
  if (id) {
    try {
      return await clients().frontend.getFlowError({ id });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      return { error: { code: 404, message: "This error is no longer available. Please start again." } };
    }
  }
  const oauth2 = params.get("error");
  if (oauth2) {
    return {
      error: oauth2,
      error_description: params.get("error_description") ?? "The request could not be completed.",
    };
  }
  return { error: { code: 404, message: "There is nothing to show here. Please start again." } };
}

export default async function ErrorPage(props: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const env = heraEnv();
  const error = await findError(toSearchParams(await props.searchParams));
  const session = await currentSession();
  return (
    <>
      <OryErrorView error={error} config={elementsConfig(env)} {...(session ? { session } : {})} />
      <p className="hera-meta">
        <a className="hera-link" href="/login">
          Back to sign in
        </a>
      </p>
    </>
  );
}
