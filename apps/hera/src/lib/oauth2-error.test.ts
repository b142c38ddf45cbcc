import { describe, expect, it } from "vitest";
import { translator } from "./i18n";
import { explainOAuth2Error } from "./oauth2-error";

describe("explainOAuth2Error", () => {
  it("says an unknown client is not worth retrying, and only our own failures are", () => {
    const t = translator("en");
    const unknown = explainOAuth2Error("invalid_client", "The requested OAuth 2.0 Client does not exist.");
    expect(unknown.message).toBe("oauth2error.invalid_client");
    expect(t(unknown.message)).toContain("will not help");
    expect(t(unknown.message)).not.toMatch(/few minutes/);
    expect(t(explainOAuth2Error("server_error", null).message)).toMatch(/few minutes/);
    expect(t(explainOAuth2Error("temporarily_unavailable", null).message)).toMatch(/few minutes/);
  });

  it("groups codes that mean the same to a person and falls back for unknown ones", () => {
    expect(explainOAuth2Error("unsupported_response_type", null).message).toBe(
      "oauth2error.unauthorized_client",
    );
    expect(explainOAuth2Error("interaction_required", null).message).toBe("oauth2error.login_required");
    expect(explainOAuth2Error("made_up", null)).toEqual({ code: "made_up", message: "oauth2error.other" });
  });

  it("cleans and bounds what the query string carries", () => {
    const e = explainOAuth2Error(`x"\\<script>${"a".repeat(100)}`, `  ${"d".repeat(900)} `);
    expect(e.code).not.toMatch(/["\\]/);
    expect(e.code.length).toBeLessThanOrEqual(64);
    expect(e.details).toHaveLength(500);
    expect(explainOAuth2Error("\u0000\u0001", null).code).toBe("unknown");
  });

  it("has the explanation in every language we ship, not the English one", () => {
    for (const locale of ["de", "fr", "es", "pt-BR"] as const) {
      const text = translator(locale)("oauth2error.invalid_client");
      expect(text).not.toBe(translator("en")("oauth2error.invalid_client"));
      expect(translator(locale)("oauth2error.code", { code: "invalid_client" })).toContain("invalid_client");
    }
  });
});
