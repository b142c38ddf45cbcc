import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { IdentityImport } from "@/components/identities/identity-import";
import { ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { listSchemas } from "@/lib/core/schemas";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Import identities" };

export default async function ImportIdentities() {
  const session = await currentSession();
  if (!canWrite(session)) redirect("/identities");
  const schemas = await attempt(listSchemas);
  return (
    <div className="stack">
      <PageHeader
        title="Import identities"
        description="Create identities from a JSON or CSV file; the docs' Administration page describes both formats."
      />
      {schemas.ok ? (
        <IdentityImport schemas={schemas.value.map((s) => s.id)} />
      ) : (
        <ErrorState error={schemas.error} what="the identity schemas" />
      )}
    </div>
  );
}
