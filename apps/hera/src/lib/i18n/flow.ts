import type { UiContainer, UiNode } from "@ory/client-fetch";
import { type MessageId, translator } from "./index";
import { LOCALES, type Locale, matchLocale } from "./locales";

/** The identity-schema trait that holds a person's language (see the CIAM and IAM schemas). */
export const LOCALE_TRAIT = "traits.locale";

/** Kratos' label id for a field titled by the identity schema ("{title}"). */
const SCHEMA_TITLE_LABEL = 1070002;

const TRAIT_TITLES: Record<string, MessageId> = {
  "traits.email": "trait.email",
  "traits.username": "trait.username",
  "traits.first_name": "trait.first_name",
  "traits.last_name": "trait.last_name",
  "traits.phone": "trait.phone",
  "traits.locale": "trait.locale",
};

function inputName(node: UiNode): string | undefined {
  return node.attributes.node_type === "input" ? node.attributes.name : undefined;
}

/**
 * A flow's form in `locale`:
 * - fields the identity schema titles (in English) get our translated title;
 * - the `locale` trait becomes a choice of our languages, and on sign-up it is a hidden field
 *   filled with the page's language, so the account (and its emails) start in the language the
 *   person reads. Other fields and every message id are left to elements' translations.
 */
export function localizeUi(
  ui: UiContainer,
  locale: Locale,
  kind: "registration" | "settings" | "other",
): UiContainer {
  const t = translator(locale);
  const nodes = ui.nodes.map((node): UiNode => {
    const name = inputName(node);
    if (!name || node.attributes.node_type !== "input") return node;
    let next = node;
    const title = TRAIT_TITLES[name];
    const label = node.meta.label;
    if (title && label?.id === SCHEMA_TITLE_LABEL) {
      const text = t(title);
      next = {
        ...next,
        meta: { ...next.meta, label: { ...label, text, context: { ...(label.context ?? {}), title: text } } },
      };
    }
    if (name === LOCALE_TRAIT && next.attributes.node_type === "input") {
      const current = next.attributes.value;
      if (kind === "registration") {
        // A value the person sent back (a failed submit) is kept; a fresh form gets the page's language.
        const value = typeof current === "string" && current ? current : locale;
        next = { ...next, attributes: { ...next.attributes, type: "hidden", value } };
      } else {
        // A stored tag that is not exactly one of ours ("de-DE", "pt") shows as the one it means.
        const value = typeof current === "string" ? (matchLocale(current) ?? current) : current;
        next = {
          ...next,
          attributes: { ...next.attributes, value, options: LOCALES.map((l) => ({ value: l })) },
        };
      }
    }
    return next;
  });
  return { ...ui, nodes };
}
