import { describe, expect, it } from "vitest";
import { deadline } from "./deadline.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Holds the event loop, as a starved process would be held. */
const block = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
};

describe("deadline", () => {
  it("misses after its length on a process that is not held up", async () => {
    const t0 = performance.now();
    let missedAt = 0;
    deadline(100, () => {
      missedAt = performance.now() - t0;
    });
    for (let i = 0; i < 100 && !missedAt; i++) await sleep(20);
    expect(missedAt).toBeGreaterThanOrEqual(100);
    // At most three lengths, plus what a loaded machine adds.
    expect(missedAt).toBeLessThan(2_000);
  });

  it("does not miss when cleared in time", async () => {
    let missed = false;
    const d = deadline(100, () => {
      missed = true;
    });
    await sleep(20);
    d.clear();
    await sleep(200);
    expect(missed).toBe(false);
  });

  it("re-arms when the process was held past it, instead of blaming the peer for the lost time", async () => {
    let missed = false;
    deadline(100, () => {
      missed = true;
    });
    block(300); // the timer is now 200 ms late when it fires
    await sleep(20);
    expect(missed).toBe(false);
    // A later expiry does miss (the re-arms are bounded).
    for (let i = 0; i < 100 && !missed; i++) await sleep(20);
    expect(missed).toBe(true);
  });

  it("lets an answer that already arrived be read before it misses", async () => {
    // The answer is queued for the same turn of the loop as the expiry: it must win.
    let missed = false;
    let answered = false;
    const d = deadline(50, () => {
      missed = true;
    });
    setTimeout(() => {
      answered = true;
      d.clear();
    }, 50);
    await sleep(200);
    expect(answered).toBe(true);
    expect(missed).toBe(false);
  });
});
