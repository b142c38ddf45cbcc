import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";

/**
 * Writes the run's counts in the shape the other packages' Vitest JSON reports have
 * (`numPassedTests`, `numFailedTests`, `numPendingTests`), so the root test summary counts the
 * browser specs too. A test counts once, by its final outcome.
 */
export default class SummaryReporter implements Reporter {
  private readonly outcomes = new Map<string, string>();
  constructor(private readonly options: { outputFile: string }) {}

  onTestEnd(test: TestCase, _result: TestResult): void {
    this.outcomes.set(test.id, test.outcome());
  }

  onEnd(result: FullResult): void {
    const all = [...this.outcomes.values()];
    const count = (...kinds: string[]) => all.filter((o) => kinds.includes(o)).length;
    const summary = {
      numTotalTests: all.length,
      numPassedTests: count("expected", "flaky"),
      numFailedTests: count("unexpected"),
      numPendingTests: count("skipped"),
      numTodoTests: 0,
      success: result.status === "passed",
      status: result.status,
    };
    const file = resolve(this.options.outputFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  }
}
