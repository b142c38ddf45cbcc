import { once } from "node:events";
import net from "node:net";
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
    expect(missedAt).toBeGreaterThanOrEqual(95); // timers have millisecond granularity
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

  it("lets an answer that arrived while the process was busy be read before it misses", async () => {
    // A real socket: the answer is written while the process is held up around the deadline, so it
    // waits in the kernel when the timer comes due. The poll phase must read it before a miss counts.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const accepted = new Promise<net.Socket>((r) => server.once("connection", r));
    const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    await once(client, "connect");
    const peer = await accepted;
    try {
      let missed = false;
      const d = deadline(200, () => {
        missed = true;
      });
      client.once("data", () => d.clear());
      // Busy in the check phase from 150 ms to about 230 ms: the next turn of the loop starts with the
      // timers, when the deadline is due (30 ms late, less than would re-arm it) and the answer unread.
      setTimeout(
        () =>
          setImmediate(() => {
            peer.write("x");
            block(80);
          }),
        150,
      );
      await sleep(800);
      expect(missed).toBe(false);
    } finally {
      client.destroy();
      peer.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});
