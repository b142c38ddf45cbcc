import { describe, expect, it } from "vitest";
import { detailRows, fieldText, readAuthorizationDetails } from "./authorization-details";

describe("authorization details on the consent page", () => {
  it("keeps only typed objects from the raw consent request", () => {
    expect(
      readAuthorizationDetails([
        { type: "a" },
        null,
        "x",
        [1],
        { type: 3 },
        { actions: ["r"] },
        { type: "b" },
      ]),
    ).toEqual([{ type: "a" }, { type: "b" }]);
    expect(readAuthorizationDetails(undefined)).toEqual([]);
    expect(readAuthorizationDetails({ type: "a" })).toEqual([]);
  });

  it("shows the common fields in order, then every other field by name", () => {
    const rows = detailRows({
      type: "payment_initiation",
      locations: ["https://bank.example.com"],
      actions: ["initiate", "status"],
      instructedAmount: { currency: "EUR", amount: "1.00" },
      creditorName: "Merchant A",
    });
    expect(rows).toEqual({
      type: "payment_initiation",
      common: [
        { field: "actions", text: "initiate, status" },
        { field: "locations", text: "https://bank.example.com" },
      ],
      other: [
        { key: "creditorName", text: "Merchant A" },
        { key: "instructedAmount", text: "currency: EUR, amount: 1.00" },
      ],
    });
  });

  it("cuts long values and never returns markup of its own", () => {
    expect(fieldText("x".repeat(500))).toHaveLength(200);
    expect(fieldText("<script>alert(1)</script>")).toBe("<script>alert(1)</script>");
    expect(fieldText(null)).toBe("null");
    expect(fieldText({ nested: { deeper: 1 } })).toBe('{"nested":{"deeper":1}}');
    expect(fieldText([1, "a"])).toBe('[1,"a"]');
  });
});
