import type { Metadata } from "next";
import Link from "next/link";
import { SchemaFields } from "@/components/schema-fields";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { listSchemas } from "@/lib/core/schemas";
import { fieldsOf } from "@/lib/schema-form";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Schemas" };

export default async function Schemas() {
  const writer = canWrite(await currentSession());
  const schemas = await attempt(listSchemas);
  return (
    <div className="stack">
      <PageHeader
        title="Identity schemas"
        description="The shapes identities in this domain take. They are read from the identity core's configuration."
      />
      {!schemas.ok ? (
        <ErrorState error={schemas.error} what="the schemas" />
      ) : schemas.value.length === 0 ? (
        <div className="card">
          <EmptyState title="No schemas" />
        </div>
      ) : (
        schemas.value.map((s) => (
          <section key={s.id} className="card stack" aria-labelledby={`schema-${s.id}`}>
            <div className="spread">
              <h2 id={`schema-${s.id}`}>
                {s.title} <span className="badge">{s.id}</span>
              </h2>
              {writer && (
                <Link className="btn small" href={`/identities/new?schema=${encodeURIComponent(s.id)}`}>
                  Create an identity with it
                </Link>
              )}
            </div>
            <div className="grid-2">
              <div>
                <h3>Form preview</h3>
                {/* A preview: the inputs work, nothing is submitted. */}
                <form className="stack" aria-label={`Form preview of ${s.id}`} action="#">
                  <fieldset disabled={false}>
                    <legend>Traits</legend>
                    <SchemaFields fields={fieldsOf(s.traits)} idPrefix={`preview-${s.id}`} />
                  </fieldset>
                </form>
              </div>
              <div>
                <h3>JSON Schema</h3>
                <pre>{JSON.stringify(s.schema, null, 2)}</pre>
              </div>
            </div>
          </section>
        ))
      )}
    </div>
  );
}
