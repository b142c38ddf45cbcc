import { describe, expect, it } from "vitest";
import { browserInitPath, toSearchParams } from "./flow-urls";

describe("browserInitPath", () => {
  it("passes the OAuth2 challenge, refresh, aal and return_to through to login", () => {
    const p = new URLSearchParams({
      login_challenge: "ch",
      refresh: "true",
      aal: "aal2",
      return_to: "http://localhost:3001/",
      flow: "old",
      junk: "x",
    });
    expect(browserInitPath("login", p)).toBe(
      "/.ory/self-service/login/browser?return_to=http%3A%2F%2Flocalhost%3A3001%2F&login_challenge=ch&refresh=true&aal=aal2",
    );
  });
  it("never carries a stale flow id and has no query when nothing applies", () => {
    expect(browserInitPath("recovery", new URLSearchParams({ flow: "old", login_challenge: "ch" }))).toBe(
      "/.ory/self-service/recovery/browser",
    );
  });
  it("passes login_challenge to registration (sign-up during an OAuth2 login)", () => {
    expect(browserInitPath("registration", new URLSearchParams({ login_challenge: "ch" }))).toBe(
      "/.ory/self-service/registration/browser?login_challenge=ch",
    );
  });
});

describe("toSearchParams", () => {
  it("keeps the first of repeated values and drops undefined ones", () => {
    expect(toSearchParams({ a: ["1", "2"], b: "x", c: undefined }).toString()).toBe("a=1&b=x");
  });
});
