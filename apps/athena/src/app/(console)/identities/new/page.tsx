import type { Metadata } from "next";
import Link from "next/link";
import { CreateIdentityForm } from "@/components/identities/create-identity-form";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { passwordPolicy } from "@/lib/core/password-policy";
import { listSchemas } from "@/lib/core/schemas";
import { athenaEnv } from "@/lib/env";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Create identity" };

export default async function NewIdentity({ searchParams }: { searchParams: Promise<{ schema?: string }> }) {
  const sp = await searchParams;
  const session = await currentSession();
  const header = (
    <PageHeader title="Create identity" description={<Link href="/identities">← Identities</Link>} />
  );
  if (!canWrite(session)) {
    return (
      <div className="stack">
        {header}
        <div className="notice warn" role="alert">
          Viewers cannot create identities.
        </div>
      </div>
    );
  }
  const [schemas, policy] = await Promise.all([attempt(listSchemas), attempt(passwordPolicy)]);
  return (
    <div className="stack">
      {header}
      {!schemas.ok ? (
        <ErrorState error={schemas.error} what="the identity schemas" />
      ) : schemas.value.length === 0 ? (
        <div className="card">
          <EmptyState title="No identity schemas">
            The identity core has no schema to create identities from.
          </EmptyState>
        </div>
      ) : (
        <CreateIdentityForm
          schemas={schemas.value.map(({ id, title, traits }) => ({ id, title, traits }))}
          initial={schemas.value.some((s) => s.id === sp.schema) ? sp.schema! : schemas.value[0]!.id}
          withRole={athenaEnv().domain === "iam"}
          {...(policy.ok ? { passwordMin: policy.value.min_length } : {})}
        />
      )}
    </div>
  );
}
