import type { UiContainer, UiNode } from "@ory/client-fetch";
import { describe, expect, it } from "vitest";
import { localizeUi } from "./flow";

function input(name: string, title: string, value?: string): UiNode {
  return {
    type: "input",
    group: "default",
    attributes: { node_type: "input", name, type: "text", disabled: false, ...(value ? { value } : {}) },
    messages: [],
    meta: { label: { id: 1070002, text: title, type: "info", context: { title } } },
  } as UiNode;
}

const ui = (nodes: UiNode[]): UiContainer => ({ action: "/x", method: "POST", nodes });
const find = (u: UiContainer, name: string) =>
  u.nodes.find((n) => n.attributes.node_type === "input" && n.attributes.name === name)!;

describe("localizeUi", () => {
  it("translates the schema's English field titles", () => {
    const out = localizeUi(
      ui([input("traits.first_name", "First name"), input("traits.email", "Email")]),
      "de",
      "other",
    );
    expect(find(out, "traits.first_name").meta.label).toMatchObject({
      text: "Vorname",
      context: { title: "Vorname" },
    });
    expect(find(out, "traits.email").meta.label?.text).toBe("E-Mail");
  });
  it("leaves labels that are not schema titles to elements' translations", () => {
    const pw = {
      ...input("password", "Password"),
      meta: { label: { id: 1070001, text: "Password", type: "info" } },
    } as UiNode;
    expect(find(localizeUi(ui([pw]), "de", "other"), "password").meta.label?.text).toBe("Password");
  });
  it("fills a hidden locale trait with the page's language on sign-up", () => {
    const a = find(
      localizeUi(ui([input("traits.locale", "Language")]), "pt-BR", "registration"),
      "traits.locale",
    ).attributes;
    expect(a).toMatchObject({ type: "hidden", value: "pt-BR" });
  });
  it("keeps a locale the person already sent on a failed sign-up", () => {
    const a = find(
      localizeUi(ui([input("traits.locale", "Language", "fr")]), "de", "registration"),
      "traits.locale",
    ).attributes;
    expect(a).toMatchObject({ type: "hidden", value: "fr" });
  });
  it("offers our languages as a choice in settings, showing a stored regional tag as ours", () => {
    const a = find(
      localizeUi(ui([input("traits.locale", "Language", "de-AT")]), "en", "settings"),
      "traits.locale",
    ).attributes as { options?: { value: string }[]; value?: string; type: string };
    expect(a.options?.map((o) => o.value)).toEqual(["en", "de", "fr", "es", "pt-BR"]);
    expect(a.value).toBe("de");
    expect(a.type).toBe("text");
  });
});
