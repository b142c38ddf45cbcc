import { describe, expect, it } from "vitest";
import { codeOfClientError, explainError } from "./errors";

describe("error explanations", () => {
  it.each(["access_denied", "login_required", "invalid_grant", "state_mismatch", "flow_missing"])(
    "%s is explained in plain words and keeps the raw error",
    (code) => {
      const e = explainError(code, { error: code });
      expect(e.title.length).toBeGreaterThan(5);
      expect(e.explanation.length).toBeGreaterThan(30);
      expect(e.raw).toEqual({ error: code });
    },
  );

  it("unknown codes are shown with the server's own words", () => {
    const e = explainError("weird_error", { error: "weird_error", error_description: "x" });
    expect(e.title).toMatch(/returned an error/);
    expect(e.explanation).toContain("weird_error");
  });

  it("token endpoint errors from openid-client keep their RFC 6749 code", () => {
    const thrown = Object.assign(new Error("server responded with an error in the response body"), {
      error: "invalid_grant",
      error_description: "The authorization code has already been used.",
      status: 400,
    });
    expect(codeOfClientError(thrown)).toMatchObject({
      code: "invalid_grant",
      raw: { error: "invalid_grant", error_description: "The authorization code has already been used." },
    });
  });

  it("nonce failures map to an invalid ID token", () => {
    const thrown = Object.assign(new Error('unexpected ID Token "nonce" claim value'), {
      code: "OAUTH_JWT_CLAIM_COMPARISON_FAILED",
    });
    expect(codeOfClientError(thrown).code).toBe("id_token_invalid");
  });
});
