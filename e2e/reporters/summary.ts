import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";

/**
 * Writes the run's counts in the shape the other packages' Vitest JSON reports have
 * (`numPassedTests`, `numFailedTests`, `numPendingTests`), so the root test summary counts the
 * browser specs too. A test counts once, by its final outcome; a test that passed only on a retry
 * is flaky, not passed: it is counted in `numFlakyTests` and named in `flakyTests`, and the configs
 * fail the run on it in CI (`failOnFlakyTests`), where the retry stays for its trace.
 */
/** "file.spec.ts: describe › test", as a reader finds it. */
function name(test: TestCase): string {
  const titles = [test.title];
  for (let s = test.parent; s.type === "describe"; s = s.parent!) titles.unshift(s.title);
  return `${test.location.file.split(/[\\/]/).pop()}: ${titles.join(" › ")}`;
}

export default class SummaryReporter implements Reporter {
  private readonly tests = new Map<string, TestCase>();
  constructor(private readonly options: { outputFile: string }) {}

  onTestEnd(test: TestCase, _result: TestResult): void {
    this.tests.set(test.id, test);
  }

  onEnd(result: FullResult): void {
    const all = [...this.tests.values()];
    const having = (outcome: ReturnType<TestCase["outcome"]>) => all.filter((t) => t.outcome() === outcome);
    const flaky = having("flaky").map(name);
    const summary = {
      numTotalTests: all.length,
      numPassedTests: having("expected").length,
      numFailedTests: having("unexpected").length,
      numFlakyTests: flaky.length,
      numPendingTests: having("skipped").length,
      numTodoTests: 0,
      flakyTests: flaky,
      success: result.status === "passed",
      status: result.status,
    };
    if (flaky.length) console.log(`\n${flaky.length} flaky (passed on a retry):\n  ${flaky.join("\n  ")}`);
    const file = resolve(this.options.outputFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  }
}
