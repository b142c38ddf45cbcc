import { describe, expect, it } from "vitest";
import { DEFAULT_RULES, loadEstimator, strengthView } from "./password-strength";

/**
 * Hera shows the core's password rules and a strength meter before submit (issue 16, finding 6),
 * with the same estimator and dictionaries the core refuses weak passwords with.
 */

const score = async (p: string) =>
  (await loadEstimator()).check(p.slice(0, DEFAULT_RULES.scoredLength)).score;

describe("password strength in Hera", () => {
  it("scores like the core: common passwords fail the rule, the walkthrough's password passes", async () => {
    for (const weak of ["password", "12345678", "aaaaaaaa"]) {
      const view = strengthView(weak, await score(weak), DEFAULT_RULES);
      expect(view.lengthOk, weak).toBe(true);
      expect(view.strongEnough, weak).toBe(false);
      expect(view.level, weak).toBe(0);
    }
    const ok = strengthView("CustomerTest123!", await score("CustomerTest123!"), DEFAULT_RULES);
    expect(ok).toEqual({ lengthOk: true, strongEnough: true, level: 3 });
  });

  it("checks the length the core asks for, and shows nothing for an empty field", () => {
    expect(strengthView("Kv9#tq", 2, DEFAULT_RULES).lengthOk).toBe(false);
    expect(strengthView("Kv9#tq-Lm2x", 4, { ...DEFAULT_RULES, minLength: 12 }).lengthOk).toBe(false);
    expect(strengthView("", undefined, DEFAULT_RULES)).toEqual({
      lengthOk: false,
      strongEnough: undefined,
      level: undefined,
    });
  });

  it("leaves the strength rule pending while the estimator loads, and off when the core checks none", () => {
    expect(strengthView("whatever", undefined, DEFAULT_RULES).strongEnough).toBeUndefined();
    expect(strengthView("aaaaaaaa", 0, { ...DEFAULT_RULES, minScore: 0 }).strongEnough).toBe(true);
  });
});
