import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort, portFree, startLogged, stopGroup, waitForHttp } from "./index.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "testkit-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it("finds a free port, and sees it taken while something listens there", async () => {
  const port = await freePort();
  expect(await portFree(port)).toBe(true);
  const server: Server = createServer((_req, res) => res.end("ok"));
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  try {
    expect(await portFree(port)).toBe(false);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

it("waits for an answer it accepts, and names what never answered", async () => {
  const port = await freePort();
  let hits = 0;
  const server = createServer((_req, res) => {
    res.statusCode = ++hits < 3 ? 503 : 200;
    res.end();
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  try {
    const res = await waitForHttp(`http://127.0.0.1:${port}/`, { what: "the stand-in", timeoutMs: 10_000 });
    expect(res.status).toBe(200);
    expect(hits).toBe(3);
  } finally {
    await new Promise((r) => server.close(r));
  }
  await expect(
    waitForHttp(`http://127.0.0.1:${port}/`, { what: "nothing", timeoutMs: 600, logDir: dir }),
  ).rejects.toThrow(/^nothing was not ready at http:\/\/127\.0\.0\.1:\d+\/ within 0\.6s \(.+\); see /);
});

it("logs a child to its file, fails a wait when it exits, and stops its whole process group", async () => {
  // A shell that starts a grandchild: stopping the group must end both.
  const child = startLogged(
    "sleeper",
    "sh",
    ["-c", 'echo started; sleep 60 & echo "$!" > grandchild; wait'],
    {
      cwd: dir,
      logDir: dir,
    },
  );
  const deadline = Date.now() + 10_000;
  let grandchild = "";
  while (!grandchild && Date.now() < deadline) {
    grandchild = await readFile(join(dir, "grandchild"), "utf8").catch(() => "");
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = Number(grandchild.trim());
  expect(pid).toBeGreaterThan(0);
  await stopGroup(child);
  expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
  const gone = async () => {
    for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
      try {
        process.kill(pid, 0);
      } catch {
        return true;
      }
    }
    return false;
  };
  expect(await gone()).toBe(true);
  expect(await readFile(join(dir, "sleeper.log"), "utf8")).toBe("started\n");

  const quitter = startLogged("quitter", "sh", ["-c", "exit 3"], { cwd: dir, logDir: dir });
  await expect(
    waitForHttp(`http://127.0.0.1:${await freePort()}/`, {
      what: "quitter",
      child: quitter,
      timeoutMs: 10_000,
    }),
  ).rejects.toThrow(/quitter exited with code 3/);
});
