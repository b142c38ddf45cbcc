import { describe, expect, it } from "vitest";
import { safeReturnTo } from "./return-to";

/**
 * Red-team finding 4: `/api/auth/login?return_to=/%09/evil.example/` ended at http://evil.example/.
 * Every value below arrives as Next decodes the query once; the callback resolves the result against
 * Athena's public URL, as a browser resolves a relative Location — it must stay on Athena.
 */

const ATHENA = "http://localhost:4001";
const lands = (returnTo: string) => new URL(returnTo, ATHENA);

/** Known open-redirect bypasses (decoded once, as `searchParams.get` hands them over). */
const BYPASSES = [
  "/\t/evil.example/",
  "/\n/evil.example/",
  "/\r/evil.example/",
  "/\r\n/evil.example/",
  "\t//evil.example/",
  " //evil.example/",
  "/\u0000/evil.example/",
  "//evil.example/",
  "///evil.example/",
  "////evil.example/",
  "/\\evil.example/",
  "\\/evil.example/",
  "\\\\evil.example/",
  "/\\/evil.example/",
  "/%2f/evil.example/",
  "/%2F%2Fevil.example/",
  "/%5cevil.example/",
  "/%5C/evil.example/",
  "/%09/evil.example/",
  "/%0a/evil.example/",
  "/%252f%252fevil.example/",
  "/.//evil.example/",
  "/./\\evil.example/",
  "/../..//evil.example/",
  "https:evil.example",
  "https://evil.example/",
  "http:/evil.example",
  "HTTPS://evil.example",
  "javascript:alert(document.domain)",
  "JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "/\uff0fevil.example/",
  "/\u2215evil.example/",
  "/\u2044evil.example/",
  "/\uff3cevil.example/",
  "evil.example",
  "@evil.example",
  "/@evil.example/".replace("/", "//"),
  `/${"a".repeat(600)}`,
  "",
];

describe("safeReturnTo: what the browser follows stays on Athena", () => {
  it.each(BYPASSES)("refuses %j", (raw) => {
    const out = safeReturnTo(raw);
    expect(out).toBe("/");
    expect(lands(out).origin).toBe(ATHENA);
  });

  it("refuses the sign-in machinery and API routes (no loops)", () => {
    for (const raw of [
      "/api/auth/login",
      "/api/clients",
      "/signin?return_to=/x",
      "/./api/auth/login",
      "/x/../api/y",
    ]) {
      expect(safeReturnTo(raw), raw).toBe("/");
    }
  });

  it("keeps ordinary Athena paths, with query and fragment, in normalised form", () => {
    expect(safeReturnTo("/identities")).toBe("/identities");
    expect(safeReturnTo("/identities?page_token=abc&q=a%2Fb#top")).toBe(
      "/identities?page_token=abc&q=a%2Fb#top",
    );
    expect(safeReturnTo("/clients/0b9f/edit")).toBe("/clients/0b9f/edit");
    expect(safeReturnTo("/identities/./x/../y")).toBe("/identities/y");
    expect(safeReturnTo(null)).toBe("/");
    expect(safeReturnTo(undefined)).toBe("/");
  });

  it("never returns a value that leaves Athena, whatever the input (fuzz over bypass fragments)", () => {
    const parts = [
      "/",
      "//",
      "\\",
      "\t",
      "\n",
      "%2f",
      "%5c",
      ".",
      "..",
      "evil.example",
      "@",
      ":",
      "https:",
      "?",
      "#",
      "\uff0f",
    ];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 5000; i++) {
      let raw = "";
      const n = 1 + (next() % 6);
      for (let j = 0; j < n; j++) raw += parts[next() % parts.length];
      const out = safeReturnTo(raw);
      expect(out.startsWith("/") && !out.startsWith("//"), JSON.stringify(raw)).toBe(true);
      expect(lands(out).origin, JSON.stringify(raw)).toBe(ATHENA);
      expect(lands(out).host, JSON.stringify(raw)).toBe("localhost:4001");
    }
  });
});
