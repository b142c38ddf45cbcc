import type { UiContainer, UiNode, UiText } from "@ory/client-fetch";
import type { ReactNode } from "react";
import { formatUiText, type Locale } from "@/lib/i18n";

/** The page's language and every elements message id in it (lib/ui-config `copyFor`). */
type Copy = { locale: Locale; messages: Record<string, string>; continueLabel: string };

function say(text: UiText | undefined, copy: Copy): string {
  return formatUiText(copy.locale, copy.messages, text);
}

function Messages({ messages, copy }: { messages: UiText[] | undefined; copy: Copy }) {
  if (!messages?.length) return null;
  return (
    <ul className="hera-messages">
      {messages.map((m) => (
        <li
          key={`${m.id}-${m.text}`}
          className={`hera-message hera-message-${m.type}`}
          role={m.type === "error" ? "alert" : "status"}
        >
          {say(m, copy)}
        </li>
      ))}
    </ul>
  );
}

/** A node's identity within a form: an input's name (and value, for submit buttons), else its id. */
function nodeKey(node: UiNode): string {
  const a = node.attributes;
  if (a.node_type === "input") return `${node.group}:${a.name}:${a.type === "submit" ? String(a.value) : ""}`;
  return `${a.node_type}:${"id" in a ? a.id : ""}`;
}

const FIELD_TYPES = new Set(["text", "email", "password", "tel", "number", "url", "date", "datetime-local"]);

function Field({ node, copy, index }: { node: UiNode; copy: Copy; index: number }): ReactNode {
  const a = node.attributes;
  if (a.node_type === "text") {
    return <p>{say(a.text, copy)}</p>;
  }
  if (a.node_type === "a") {
    return (
      <a className="hera-link" href={a.href}>
        {say(a.title, copy)}
      </a>
    );
  }
  if (a.node_type !== "input" || node.group === "captcha") return null;
  const label = say(node.meta.label, copy);
  const value = a.value === undefined || a.value === null ? undefined : String(a.value);
  if (a.type === "hidden") return <input type="hidden" name={a.name} value={value ?? ""} />;
  if (a.type === "submit") {
    return (
      <button type="submit" name={a.name} value={value ?? ""} className="hera-button">
        {label || copy.continueLabel}
      </button>
    );
  }
  const id = `nojs-${index}-${a.name}`;
  if (a.type === "checkbox") {
    return (
      <div className="hera-check">
        <input id={id} type="checkbox" name={a.name} value="true" defaultChecked={a.value === true} />
        <label htmlFor={id}>{label}</label>
        <Messages messages={node.messages} copy={copy} />
      </div>
    );
  }
  if (a.options?.length) {
    return (
      <div className="hera-field">
        <label htmlFor={id}>{label}</label>
        <select id={id} name={a.name} defaultValue={value ?? ""}>
          {a.options.map((o) => (
            <option key={String(o.value)} value={String(o.value)}>
              {copy.messages[`forms.option.${a.name}.${String(o.value)}`] ?? String(o.value)}
            </option>
          ))}
        </select>
        <Messages messages={node.messages} copy={copy} />
      </div>
    );
  }
  if (!FIELD_TYPES.has(a.type)) return null;
  return (
    <div className="hera-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={a.type}
        name={a.name}
        defaultValue={a.type === "password" ? undefined : value}
        autoComplete={a.autocomplete}
        maxLength={a.maxlength}
        pattern={a.pattern}
      />
      <Messages messages={node.messages} copy={copy} />
    </div>
  );
}

/**
 * The flow as a plain HTML form posting to `ui.action`, for browsers without JavaScript (where
 * @ory/elements-react leaves its inputs disabled until it hydrates). The core answers such posts
 * with 303 redirects, so the flow still completes.
 */
export function NoScriptForm({ ui, title, copy }: { ui: UiContainer; title: string; copy: Copy }) {
  return (
    <section className="hera-card" aria-labelledby="nojs-title">
      <h1 id="nojs-title">{title}</h1>
      <Messages messages={ui.messages} copy={copy} />
      <form action={ui.action} method={ui.method} className="hera-card-form">
        {ui.nodes.map((node, i) => (
          <Field key={nodeKey(node)} node={node} copy={copy} index={i} />
        ))}
      </form>
    </section>
  );
}

/**
 * Wraps an elements flow component: scripts on, elements renders it; scripts off (CSS
 * `scripting: none` hides the elements card), the `<noscript>` form takes over.
 */
export function FlowView(props: { ui: UiContainer; title: string; copy: Copy; children: ReactNode }) {
  return (
    <>
      <noscript>
        <NoScriptForm ui={props.ui} title={props.title} copy={props.copy} />
      </noscript>
      <div className="hera-js">{props.children}</div>
    </>
  );
}
