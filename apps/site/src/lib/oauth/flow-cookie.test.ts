import { describe, expect, it } from "vitest";
import {
  chosenScope,
  cookieAttributes,
  cookieNames,
  decodeFlow,
  encodeFlow,
  FLOW_COOKIE_MAX_AGE,
  parsePrompt,
} from "./flow-cookie";

const flow = {
  codeVerifier: "v".repeat(43),
  state: "s".repeat(43),
  nonce: "n".repeat(43),
  createdAt: 1_800_000_000_000,
};

describe("flow cookie", () => {
  it("round-trips the verifier, state, nonce and prompt", () => {
    expect(decodeFlow(encodeFlow({ ...flow, prompt: "login" }), flow.createdAt + 1000)).toEqual({
      ...flow,
      prompt: "login",
    });
  });

  it("round-trips the chosen scope and DPoP; a scope that is not a list of scope tokens reads as no flow", () => {
    const chosen = { ...flow, scope: "openid email", dpop: true };
    expect(decodeFlow(encodeFlow(chosen), flow.createdAt)).toEqual(chosen);
    for (const scope of ["openid\nemail", 'openid "x"', "openid  email", "", "a\\b"]) {
      expect(decodeFlow(encodeFlow({ ...flow, scope }), flow.createdAt)).toBeUndefined();
    }
    expect(decodeFlow(encodeFlow({ ...flow, dpop: "yes" } as never), flow.createdAt)).toBeUndefined();
  });

  it("the scope picker keeps only what the client may ask for, always openid, in the client's order", () => {
    const allowed = ["openid", "offline_access", "email", "profile"];
    expect(chosenScope(["profile", "email"], allowed)).toBe("openid email profile");
    expect(chosenScope([], allowed)).toBe("openid");
    expect(chosenScope(["admin", "email openid", "offline_access", 42], allowed)).toBe(
      "openid offline_access",
    );
  });

  it("reads as no flow once older than its 10 minutes", () => {
    expect(decodeFlow(encodeFlow(flow), flow.createdAt + FLOW_COOKIE_MAX_AGE * 1000 + 1)).toBeUndefined();
  });

  it("reads malformed or tampered values as no flow", () => {
    const now = flow.createdAt;
    expect(decodeFlow(undefined, now)).toBeUndefined();
    expect(decodeFlow("not base64 json", now)).toBeUndefined();
    expect(decodeFlow(encodeFlow({ ...flow, state: "short" }), now)).toBeUndefined();
    expect(
      decodeFlow(encodeFlow({ ...flow, codeVerifier: "has spaces in it but is long enough" }), now),
    ).toBeUndefined();
    expect(decodeFlow(encodeFlow({ ...flow, prompt: "evil" }), now)).toBeUndefined();
    expect(decodeFlow("x".repeat(5000), now)).toBeUndefined();
  });

  it("names cookies per domain, HttpOnly, SameSite=Lax, scoped to /playground, Secure on https", () => {
    expect(cookieNames.flow("ciam")).toBe("olympus_site_ciam_flow");
    expect(cookieNames.session("iam")).toBe("olympus_site_iam_playground");
    expect(cookieAttributes("http://localhost:2000", 600)).toEqual({
      httpOnly: true,
      sameSite: "lax",
      secure: false,
      path: "/playground",
      maxAge: 600,
    });
    expect(cookieAttributes("https://olympus.example", 600).secure).toBe(true);
  });

  it("passes on only the prompt values OpenID Connect defines", () => {
    expect(parsePrompt("consent")).toBe("consent");
    expect(parsePrompt("")).toBeUndefined();
    expect(parsePrompt("none login")).toBeUndefined();
  });
});
