import { describe, expect, it } from "vitest";
import { emailHint, hintFromCookieHeader, prefillEmail } from "./verify-hint";

describe("verification hint", () => {
  it("accepts an email address and nothing else", () => {
    expect(emailHint(" ada@example.com ")).toBe("ada@example.com");
    expect(emailHint("not an address")).toBeUndefined();
    expect(emailHint(`<script>@x`)).toBeUndefined();
    expect(emailHint(`${"a".repeat(320)}@x.io`)).toBeUndefined();
    expect(emailHint(["a@b.c"])).toBeUndefined();
  });
  it("reads the cookie, decoding it, and ignores garbage", () => {
    expect(hintFromCookieHeader("x=1; hera_verify_hint=ada%40example.com")).toBe("ada@example.com");
    expect(hintFromCookieHeader("hera_verify_hint=%E0%A4%A")).toBeUndefined();
    expect(hintFromCookieHeader("hera_verify_hint=nope")).toBeUndefined();
    expect(hintFromCookieHeader(null)).toBeUndefined();
  });
  it("fills only an empty email input", () => {
    const nodes = [
      { group: "code", attributes: { node_type: "input", name: "email", type: "email", value: "" } },
      {
        group: "default",
        attributes: { node_type: "input", name: "csrf_token", type: "hidden", value: "t" },
      },
    ];
    const filled = prefillEmail(nodes, "ada@example.com");
    expect(filled[0]!.attributes.value).toBe("ada@example.com");
    expect(filled[1]!.attributes.value).toBe("t");
    const typed = [
      { group: "code", attributes: { node_type: "input", name: "email", value: "bob@example.com" } },
    ];
    expect(prefillEmail(typed, "ada@example.com")[0]!.attributes.value).toBe("bob@example.com");
  });
});
