import { describe, expect, it } from "vitest";
import {
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
