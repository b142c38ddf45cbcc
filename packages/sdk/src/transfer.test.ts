// The CSV side of identity import and export, without a core: typing by schema, header checks,
// and cells a spreadsheet would run as formulas.
import { describe, expect, it } from "vitest";
import { identitiesFromCsv, identitiesFromJson, identitiesToCsv } from "./transfer.ts";

const schema = {
  properties: {
    traits: {
      properties: {
        email: { type: "string" },
        age: { type: "integer" },
        newsletter: { type: "boolean" },
        tags: { type: "array" },
        name: { properties: { first: { type: "string" } } },
      },
    },
  },
};
const read = (text: string) => identitiesFromCsv(text, { schemaFor: async () => schema });

describe("CSV import", () => {
  it("types cells by the schema and nests dotted columns", async () => {
    const [row] = await read(
      'email,age,newsletter,tags,name.first,state\na@x.io,7,yes,"[""a""]",Ann,inactive\n',
    );
    expect(row).toEqual({
      row: 2,
      create: {
        schema_id: "default",
        state: "inactive",
        traits: { email: "a@x.io", age: 7, newsletter: true, tags: ["a"], name: { first: "Ann" } },
      },
    });
  });

  it("reports a row whose cell does not fit, and goes on", async () => {
    const rows = await read("email,age,newsletter\na@x.io,7.5,\nb@x.io,,maybe\nc@x.io,,\n");
    expect(rows.map((r) => r.error ?? "ok")).toEqual([
      'age: "7.5" is not an integer',
      'newsletter: "maybe" is not true or false',
      "ok",
    ]);
  });

  it("refuses a header that names a column twice, names no trait, or is missing", async () => {
    await expect(read("email,traits.email\n")).rejects.toThrow(/names traits.email twice/);
    await expect(read("password,state\n")).rejects.toThrow(/no trait column/);
    await expect(read("")).rejects.toThrow(/header row/);
    await expect(read("email,__proto__.x\n")).rejects.toThrow(/not a trait path/);
  });
});

describe("CSV export", () => {
  it("defuses formula cells and the import restores them", async () => {
    const csv = identitiesToCsv([
      {
        id: "1",
        body: {
          schema_id: "default",
          state: "active",
          traits: { email: "e@x.io", name: { first: "=HYPERLINK(1)" } },
        },
      },
    ]);
    expect(csv).toContain("'=HYPERLINK(1)");
    const [row] = await read(csv);
    expect(row!.create!.traits).toEqual({ email: "e@x.io", name: { first: "=HYPERLINK(1)" } });
  });
});

describe("JSON import", () => {
  it("drops read-only members of listed identities and refuses what is not an object", () => {
    const rows = identitiesFromJson(
      JSON.stringify([{ id: "x", created_at: "y", schema_id: "default", traits: { email: "a@x.io" } }, 3]),
    );
    expect(rows).toEqual([
      { row: 1, create: { schema_id: "default", traits: { email: "a@x.io" } } },
      { row: 2, error: "not a JSON object" },
    ]);
    expect(() => identitiesFromJson("{")).toThrow(/not JSON/);
    expect(() => identitiesFromJson('{"a":1}')).toThrow(/array of identities/);
  });
});
