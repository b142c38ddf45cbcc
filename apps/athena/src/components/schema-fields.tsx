import type { Field } from "@/lib/schema-form";

/** Inputs for schema fields, with HTML constraints; no hooks, so server pages render it too. */
export function SchemaFields({ fields, idPrefix }: { fields: Field[]; idPrefix: string }) {
  return (
    <>
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        if (f.kind === "object") {
          return (
            <fieldset key={f.name}>
              <legend>{f.title}</legend>
              <SchemaFields fields={f.children ?? []} idPrefix={idPrefix} />
            </fieldset>
          );
        }
        if (f.kind === "boolean") {
          return (
            <label key={f.name} className="check-label" htmlFor={id}>
              <input id={id} name={f.name} type="checkbox" defaultChecked={f.defaultValue === true} />{" "}
              {f.title}
            </label>
          );
        }
        const hint = [
          f.required ? "required" : "optional",
          f.identifier ? "sign-in identifier" : "",
          f.kind === "list" ? "one per line or comma-separated" : "",
          f.pattern ? `pattern ${f.pattern}` : "",
        ]
          .filter(Boolean)
          .join(" · ");
        return (
          <div key={f.name} className="field">
            <label htmlFor={id}>
              {f.title} <span className="hint">({hint})</span>
            </label>
            {f.description && <span className="hint">{f.description}</span>}
            {f.kind === "enum" ? (
              <select
                id={id}
                name={f.name}
                required={f.required}
                defaultValue={typeof f.defaultValue === "string" ? f.defaultValue : ""}
              >
                {!f.required || typeof f.defaultValue !== "string" ? <option value="">—</option> : null}
                {f.options?.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : f.kind === "list" ? (
              <textarea id={id} name={f.name} rows={2} />
            ) : (
              <input
                id={id}
                name={f.name}
                type={
                  f.kind === "integer" || f.kind === "number" ? "number" : f.kind === "text" ? "text" : f.kind
                }
                required={f.required}
                {...(f.pattern ? { pattern: f.pattern } : {})}
                {...(f.minLength !== undefined ? { minLength: f.minLength } : {})}
                {...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {})}
                {...(f.kind === "integer" ? { step: 1 } : {})}
                {...(typeof f.defaultValue === "string" ? { defaultValue: f.defaultValue } : {})}
                autoComplete="off"
              />
            )}
          </div>
        );
      })}
    </>
  );
}
