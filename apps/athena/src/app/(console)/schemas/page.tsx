import type { Metadata } from "next";
import Link from "next/link";
import { ActionButton } from "@/components/action-button";
import { SchemaFields } from "@/components/schema-fields";
import { AddSchemaForm } from "@/components/schemas/add-schema-form";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { canWrite } from "@/lib/auth/guard";
import { attempt } from "@/lib/core/errors";
import { listManagedSchemas, listSchemas, type SchemaInfo } from "@/lib/core/schemas";
import { fieldsOf } from "@/lib/schema-form";
import { currentSession } from "@/lib/session/server";

export const metadata: Metadata = { title: "Schemas" };

export default async function Schemas() {
  const writer = canWrite(await currentSession());
  // The Olympus schemas API names the default and the origin; Kratos' list is the fallback.
  const managed = await attempt(listManagedSchemas);
  const schemas = managed.ok ? managed : await attempt<SchemaInfo[]>(listSchemas);
  return (
    <div className="stack">
      <PageHeader
        title="Identity schemas"
        description="The shapes identities in this domain take: the identity core's configuration, and versions added here."
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
                {s.title} <span className="badge">{s.id}</span>{" "}
                {s.isDefault && <span className="badge ok">default</span>}{" "}
                {s.source && (
                  <span className="badge">
                    {s.source === "config" ? "configuration" : "added at run time"}
                  </span>
                )}
              </h2>
              {writer && (
                <span className="row">
                  {managed.ok && !s.isDefault && (
                    <ActionButton
                      small
                      label="Set as default"
                      title={`Make ${s.id} the default schema?`}
                      description="New identities and sign-ups get this schema when none is named. Existing identities keep the schema they have."
                      method="PUT"
                      url="/api/schemas/default"
                      body={{ id: s.id }}
                      done={`${s.id} is the default schema.`}
                    />
                  )}
                  <Link className="btn small" href={`/identities/new?schema=${encodeURIComponent(s.id)}`}>
                    Create an identity with it
                  </Link>
                </span>
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
      {writer && managed.ok && (
        <AddSchemaForm sources={managed.value.map((s) => ({ id: s.id, schema: s.schema }))} />
      )}
    </div>
  );
}
