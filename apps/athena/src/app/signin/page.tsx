import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { safeReturnTo } from "@/lib/auth/oidc";
import { athenaEnv } from "@/lib/env";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  access_denied: "Sign-in was cancelled.",
  provider_error: "Olympus IAM refused the sign-in request.",
  provider_unavailable: "Olympus IAM cannot be reached right now. Try again in a moment.",
  flow_expired: "The sign-in took too long or was started in another tab. Start again.",
  callback_rejected: "The answer from Olympus IAM could not be verified. Start again.",
  no_role: "Your IAM account has no Athena role (admin or viewer). Ask an administrator for one.",
  second_factor_required:
    "Athena requires a second factor. Set up an authenticator app in your Olympus IAM account settings, then sign in with it.",
  role_unconfirmed: "Your role could not be confirmed with Olympus IAM. Try again shortly.",
};

export default async function SignIn({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const returnTo = safeReturnTo(sp.return_to);
  if (await currentSession()) redirect(returnTo);
  const { domain } = athenaEnv();
  const error = sp.error ? (ERRORS[sp.error] ?? "Sign-in failed. Start again.") : undefined;
  return (
    <main className="signin">
      <div className="card">
        <div>
          <span className="domain-tag">{domain.toUpperCase()}</span>
          <h1>Athena</h1>
          <p className="muted">
            The admin dashboard of the{" "}
            {domain === "iam" ? "IAM (employees and operators)" : "CIAM (customers)"} domain.
          </p>
        </div>
        {error && (
          <div className="notice error" role="alert">
            {error}
          </div>
        )}
        {sp.signed_out && !error && (
          <div className="notice ok" role="status">
            You are signed out.
          </div>
        )}
        <a className="btn primary big" href={`/api/auth/login?return_to=${encodeURIComponent(returnTo)}`}>
          Sign in with Olympus IAM
        </a>
        <p className="small muted">Administrators of both domains sign in with their IAM account.</p>
      </div>
    </main>
  );
}
