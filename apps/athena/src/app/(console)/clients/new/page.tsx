import type { Metadata } from "next";
import Link from "next/link";
import { ClientForm, EMPTY_CLIENT } from "@/components/clients/client-form";
import { PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { athenaEnv } from "@/lib/env";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Register client" };

export default async function NewClient() {
  const writer = canWrite(await currentSession());
  return (
    <div className="stack">
      <PageHeader
        title="Register an OAuth2 client"
        description={<Link href="/clients">← OAuth2 clients</Link>}
      />
      {writer ? (
        <ClientForm
          mode="create"
          initial={EMPTY_CLIENT}
          tokenUrl={`${athenaEnv().hydraPublicUrl}/oauth2/token`}
        />
      ) : (
        <div className="notice warn" role="alert">
          Viewers cannot register clients.
        </div>
      )}
    </div>
  );
}
