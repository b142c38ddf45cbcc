import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fieldsOf, htmlPattern, traitsFrom } from "./schema-form";

const seed = (path: string) =>
  (
    JSON.parse(readFileSync(new URL(`../../../../seeds/${path}`, import.meta.url), "utf8")) as {
      properties: { traits: unknown };
    }
  ).properties.traits;

describe("schema form", () => {
  it("renders the IAM admin schema: email identifier, nested name, locale (the role is metadata, not a trait)", () => {
    const f = fieldsOf(seed("iam/schemas/admin.schema.json"));
    expect(f.map((x) => [x.name, x.kind, x.required])).toEqual([
      ["email", "email", true],
      ["name", "object", false],
      ["locale", "text", false],
    ]);
    expect(f[0]!.identifier).toBe(true);
    expect(f[1]!.children!.map((c) => c.name)).toEqual(["name.first", "name.last"]);
  });

  /** A schema with an enum (with a default) and a string list, as operators may write them. */
  const withLists = {
    type: "object",
    properties: {
      email: {
        type: "string",
        format: "email",
        "ory.sh/kratos": { credentials: { password: { identifier: true } } },
      },
      name: { type: "object", properties: { first: { type: "string" }, last: { type: "string" } } },
      role: { type: "string", enum: ["admin", "viewer"], default: "viewer" },
      roles: { type: "array", items: { type: "string" } },
    },
    required: ["email", "role"],
  };

  it("renders an enum with its default and a string list", () => {
    const f = fieldsOf(withLists);
    expect(f.map((x) => [x.name, x.kind, x.required])).toEqual([
      ["email", "email", true],
      ["name", "object", false],
      ["role", "enum", true],
      ["roles", "list", false],
    ]);
    expect(f[2]).toMatchObject({ options: ["admin", "viewer"], defaultValue: "viewer" });
  });

  it("builds nested traits and leaves out empty optional values", () => {
    const f = fieldsOf(withLists);
    const values: Record<string, string> = {
      email: " new@demo.user ",
      "name.first": "New",
      "name.last": "",
      role: "viewer",
      roles: "dba, ops\nsre",
    };
    expect(traitsFrom(f, (n) => values[n] ?? null)).toEqual({
      email: "new@demo.user",
      name: { first: "New" },
      role: "viewer",
      roles: ["dba", "ops", "sre"],
    });
  });

  it("covers the CIAM customer schema: pattern, date, tel, booleans, nested enums", () => {
    const f = fieldsOf(seed("ciam/schemas/customer.schema.json"));
    const byName = new Map(f.flatMap((x) => [x, ...(x.children ?? [])]).map((x) => [x.name, x]));
    expect(byName.get("customer_id")).toMatchObject({
      pattern: "CUST-[0-9]+",
      required: true,
      identifier: true,
    });
    expect(byName.get("date_of_birth")?.kind).toBe("date");
    expect(byName.get("phone")?.kind).toBe("tel");
    expect(byName.get("preferences.newsletter")?.kind).toBe("boolean");
    expect(byName.get("preferences.currency")?.options).toContain("EUR");
    const traits = traitsFrom(
      f,
      (n) => ({ email: "c@x.io", customer_id: "CUST-1", "preferences.newsletter": "on" })[n] ?? null,
    );
    expect(traits).toMatchObject({
      email: "c@x.io",
      customer_id: "CUST-1",
      preferences: { newsletter: true, marketing_emails: false },
    });
  });

  it("drops patterns the browser could not compile", () => {
    expect(htmlPattern("^[a-z0-9]+$")).toBe("[a-z0-9]+");
    expect(htmlPattern("(")).toBeUndefined();
    expect(htmlPattern(undefined)).toBeUndefined();
  });
});
