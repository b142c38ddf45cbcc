import { describe, expect, it } from "vitest";
import { consentIsAutomatic, sessionSatisfies } from "./oauth2-rules";

const auth = "http://127.0.0.1:3102/oauth2/auth?client_id=c&response_type=code";
const now = Date.parse("2026-01-01T12:00:00Z");

describe("sessionSatisfies", () => {
  it("lets a live session answer a plain authorization request", () => {
    expect(sessionSatisfies(auth, new Date(now - 3_600_000), now)).toBe(true);
  });
  it("refuses with prompt=login", () => {
    expect(sessionSatisfies(`${auth}&prompt=login`, new Date(now), now)).toBe(false);
    expect(sessionSatisfies(`${auth}&prompt=consent%20login`, new Date(now), now)).toBe(false);
  });
  it("honours max_age against the time the user authenticated", () => {
    expect(sessionSatisfies(`${auth}&max_age=600`, new Date(now - 300_000), now)).toBe(true);
    expect(sessionSatisfies(`${auth}&max_age=600`, new Date(now - 900_000), now)).toBe(false);
    expect(sessionSatisfies(`${auth}&max_age=600`, undefined, now)).toBe(false);
    expect(sessionSatisfies(`${auth}&max_age=abc`, new Date(now), now)).toBe(false);
  });
});

describe("consentIsAutomatic", () => {
  it("skips the screen for remembered grants and first-party clients only", () => {
    expect(consentIsAutomatic({ challenge: "c", skip: true })).toBe(true);
    expect(consentIsAutomatic({ challenge: "c", client: { skip_consent: true } })).toBe(true);
    expect(consentIsAutomatic({ challenge: "c", skip: false, client: { skip_consent: false } })).toBe(false);
  });
});
