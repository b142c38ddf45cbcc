import type { Field } from "@/lib/schema-form";

/**
 * Inputs for schema fields, with HTML constraints; no hooks, so server pages render it too.
 * `values` pre-fills them (an identity's current traits); `errors` shows the identity core's
 * message under the field it names (`email`, `name.first`).
 */
export function SchemaFields({
  fields,
  idPrefix,
  values,
  errors,
}: {
  fields: Field[];
  idPrefix: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}) {
  return (
    <>
      {fields.map((f) => {
        const id = `${idPrefix}-${f.name}`;
        const current = values === undefined ? undefined : valueAt(values, f.name);
        const error = errors?.[f.name];
        const errorId = `${id}-error`;
        const errorProps = error ? { "aria-invalid": true, "aria-describedby": errorId } : {};
        const errorText = error ? (
          <span id={errorId} className="field-error" role="alert">
            {error}
          </span>
        ) : null;
        if (f.kind === "object") {
          return (
            <fieldset key={f.name}>
              <legend>{f.title}</legend>
              {errorText}
              <SchemaFields
                fields={f.children ?? []}
                idPrefix={idPrefix}
                {...(values ? { values } : {})}
                {...(errors ? { errors } : {})}
              />
            </fieldset>
          );
        }
        if (f.kind === "boolean") {
          return (
            <label key={f.name} className="check-label" htmlFor={id}>
              <input
                id={id}
                name={f.name}
                type="checkbox"
                defaultChecked={current === undefined ? f.defaultValue === true : current === true}
                {...errorProps}
              />{" "}
              {f.title}
              {errorText}
            </label>
          );
        }
        const text =
          current === undefined || current === null
            ? typeof f.defaultValue === "string" && values === undefined
              ? f.defaultValue
              : undefined
            : Array.isArray(current)
              ? current.map(String).join("\n")
              : typeof current === "object"
                ? JSON.stringify(current)
                : String(current);
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
              <select id={id} name={f.name} required={f.required} defaultValue={text ?? ""} {...errorProps}>
                {!f.required || typeof f.defaultValue !== "string" ? <option value="">—</option> : null}
                {f.options?.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : f.kind === "list" ? (
              <textarea id={id} name={f.name} rows={2} defaultValue={text ?? ""} {...errorProps} />
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
                {...(text !== undefined ? { defaultValue: text } : {})}
                {...errorProps}
                autoComplete="off"
              />
            )}
            {errorText}
          </div>
        );
      })}
    </>
  );
}

function valueAt(values: Record<string, unknown>, path: string): unknown {
  let cur: unknown = values;
  for (const k of path.split(".")) {
    if (!cur || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
