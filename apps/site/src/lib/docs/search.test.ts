import { describe, expect, it } from "vitest";
import { indexEntry, searchDocs } from "./search";

const index = [
  indexEntry(
    "security",
    "Security",
    [
      { id: "csrf", text: "CSRF" },
      { id: "passwords", text: "Passwords" },
    ],
    "Double submit CSRF tokens. argon2id hashes passwords.",
  ),
  indexEntry(
    "configuration",
    "Configuration reference",
    [{ id: "hashers", text: "hashers" }],
    "hashers.algorithm argon2 bcrypt dsn postgres",
  ),
  indexEntry(
    "playground",
    "The OAuth2 playground",
    [{ id: "step-by-step", text: "Step by step" }],
    "PKCE S256 public client verifier",
  ),
];

describe("docs search", () => {
  it("ranks a title match first and links to the matching heading", () => {
    const hits = searchDocs(index, "csrf");
    expect(hits[0]).toMatchObject({ slug: "security", anchor: "csrf", heading: "CSRF" });
  });

  it("needs every term somewhere in the page", () => {
    expect(searchDocs(index, "argon2 dsn").map((h) => h.slug)).toEqual(["configuration"]);
    expect(searchDocs(index, "pkce argon2")).toEqual([]);
  });

  it("ignores case and one-letter noise, and returns nothing for an empty query", () => {
    expect(searchDocs(index, "PKCE a").map((h) => h.slug)).toEqual(["playground"]);
    expect(searchDocs(index, "  ")).toEqual([]);
  });

  it("keeps index entries small", () => {
    expect(indexEntry("x", "X", [], "y".repeat(50_000)).text.length).toBe(6000);
  });
});
