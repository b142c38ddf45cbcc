import { describe, expect, it } from "vitest";
import { describeUserAgent, sessionMethods } from "./device";

describe("describeUserAgent", () => {
  it("names browser, major version and system instead of the raw header", () => {
    expect(
      describeUserAgent(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.8078.73 Safari/537.36",
      ),
    ).toBe("Chrome 156 · Linux");
    expect(
      describeUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Mobile Safari 17 · Apple iPhone, iOS 17");
    expect(
      describeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"),
    ).toBe("Firefox 128 · Windows 10");
  });
  it("gives nothing for clients it cannot read, so the page says 'unknown browser'", () => {
    expect(describeUserAgent(undefined)).toBeUndefined();
    expect(describeUserAgent("")).toBeUndefined();
    expect(describeUserAgent("curl-ish/1 \u0000<script>")).toBeUndefined();
  });
});

describe("sessionMethods", () => {
  it("lists each method once, keeping the provider of social sign-in", () => {
    expect(
      sessionMethods([
        { method: "password" },
        { method: "totp" },
        { method: "password" },
        { method: "oidc", provider: "iam" },
      ]),
    ).toEqual([{ method: "password" }, { method: "totp" }, { method: "oidc", provider: "iam" }]);
    expect(sessionMethods(undefined)).toEqual([]);
  });
});
