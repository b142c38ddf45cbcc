import { describe, expect, it } from "vitest";
import { grantableScopes, idTokenClaims } from "./claims";

const customer = {
  id: "c1",
  traits: { email: "Ada@Example.com", first_name: "Ada", last_name: "Lovelace", customer_id: "CUST-1" },
  verifiable_addresses: [{ value: "ada@example.com", verified: true, via: "email" }],
};
const employee = {
  id: "e1",
  traits: { email: "admin@demo.user", name: { first: "Ada", last: "Admin" } },
  metadata_admin: { role: "admin", roles: ["dba"] },
  verifiable_addresses: [{ value: "admin@demo.user", verified: false, via: "email" }],
};

describe("idTokenClaims", () => {
  it("maps email and its verification status under the email scope", () => {
    expect(idTokenClaims(customer, ["openid", "email"], "ciam")).toEqual({
      email: "Ada@Example.com",
      email_verified: true,
    });
  });
  it("maps the name claims under the profile scope from first_name/last_name", () => {
    expect(idTokenClaims(customer, ["openid", "profile"], "ciam")).toEqual({
      name: "Ada Lovelace",
      given_name: "Ada",
      family_name: "Lovelace",
    });
  });
  it("maps a nested name{first,last} and an unverified address", () => {
    expect(idTokenClaims(employee, ["openid", "email", "profile"], "iam")).toMatchObject({
      email: "admin@demo.user",
      email_verified: false,
      name: "Ada Admin",
      given_name: "Ada",
      family_name: "Admin",
    });
  });
  it("adds role and roles from metadata_admin for IAM only", () => {
    expect(idTokenClaims(employee, ["openid"], "iam")).toEqual({ role: "admin", roles: ["dba"] });
    expect(idTokenClaims({ ...employee, id: "x" }, ["openid"], "ciam")).toEqual({});
  });
  it("never copies a role from the traits, which their owner can rewrite (issue 16)", () => {
    const selfPromoted = {
      id: "v",
      traits: { email: "viewer@demo.user", role: "admin", roles: ["root"] },
      metadata_admin: { role: "viewer" },
    };
    expect(idTokenClaims(selfPromoted, ["openid"], "iam")).toEqual({ role: "viewer" });
    expect(idTokenClaims({ id: "s", traits: { role: "admin" } }, ["openid"], "iam")).toEqual({});
  });
  it("grants nothing beyond what the scopes allow and leaks no other traits", () => {
    const claims = idTokenClaims(customer, ["openid"], "ciam");
    expect(claims).toEqual({});
    expect(JSON.stringify(idTokenClaims(customer, ["openid", "email", "profile"], "ciam"))).not.toContain(
      "CUST-1",
    );
  });
  it("takes a plain string name as is", () => {
    expect(idTokenClaims({ id: "p", traits: { name: "Pythia" } }, ["profile"], "ciam")).toEqual({
      name: "Pythia",
    });
  });
  it("copes with identities without traits or addresses", () => {
    expect(idTokenClaims({ id: "n" }, ["openid", "email", "profile"], "iam")).toEqual({});
  });
});

describe("grantableScopes", () => {
  it("grants every requested scope when the user chose none explicitly (automatic consent)", () => {
    expect(grantableScopes(["openid", "email"], undefined)).toEqual(["openid", "email"]);
  });
  it("keeps only requested scopes the user left ticked, never extra ones", () => {
    expect(grantableScopes(["openid", "email", "profile"], ["email", "admin", "openid"])).toEqual([
      "openid",
      "email",
    ]);
  });
});
