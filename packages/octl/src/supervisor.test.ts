// The supervisor with real processes: crash restarts with backoff, dependency order, `down` leaving
// no process behind (grandchildren included), and a foreground deploy stopped with Ctrl-C.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "./procs.ts";
import {
  cleanup,
  eventually,
  freePort,
  httpService,
  octl,
  readStateFile,
  startOctl,
  statePids,
  tempHome,
  track,
  writeFakeServices,
  writeManifest,
} from "./testkit.ts";

afterAll(cleanup, 60_000);

const statusJson = async (home: string) => {
  const r = await octl(home, ["status", "--json"]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as {
    name: string;
    status: string;
    pid: number | null;
    port: number;
    restarts: number;
    lastExitCode: number | null;
    error: string | null;
  }[];
};

describe.concurrent("supervisor", () => {
  it("restarts a crashing service with backoff, reports every crash, and gives up after N quick crashes", async () => {
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const port = await freePort();
    const manifest = writeManifest(home, [
      httpService("flaky", fakes.http, port, {
        env: { CRASH_AFTER_MS: "1500" },
        restart: { initialDelayMs: 100, maxDelayMs: 400, minUptimeMs: 60_000, maxQuickCrashes: 3 },
      }),
    ]);
    const deploy = await octl(home, ["deploy", "--detach", "--manifest", manifest]);
    expect(deploy.code, deploy.stderr).toBe(0);
    for (const pid of statePids(home)) track(pid);

    // It is restarted (state.json is what `octl status` reads)...
    const restarted = await eventually("a restart", () => {
      const s = readStateFile(home)?.services[0];
      return s && s.restarts > 0 ? s : undefined;
    });
    expect(restarted.lastExitCode).toBe(1);

    // ...and after three quick crashes in a row it is failed, with the reason.
    await eventually(
      "the service to be given up on",
      () => readStateFile(home)?.services[0]?.status === "failed",
    );
    const [failed] = await statusJson(home);
    expect(failed).toMatchObject({
      name: "flaky",
      status: "failed",
      restarts: 2,
      lastExitCode: 1,
      pid: null,
    });
    expect(failed!.restarts).toBe(2);
    expect(failed!.error).toContain("exited with code 1");
    expect(failed!.error).toContain("giving up");

    // Reported in the supervisor log and in the service's own log.
    const supLog = readFileSync(join(home, "logs", "supervisor.log"), "utf8");
    expect(supLog).toMatch(/flaky: crashed: exited with code 1 after \d+ ms; restarting in 100 ms/);
    expect(supLog).toMatch(/flaky: crashed: exited with code 1 after \d+ ms; restarting in 200 ms/);
    expect(supLog).toContain("flaky: failed:");
    const svcLog = readFileSync(join(home, "logs", "flaky.log"), "utf8");
    expect(svcLog).toContain("fake service: crashing on purpose");
    expect(svcLog).toMatch(/\[octl\] crashed: exited with code 1/);

    const human = await octl(home, ["status"]);
    expect(human.stdout).toMatch(/flaky\s+failed/);
    expect(human.stdout).toContain("2 (last exit 1)");
    expect((await octl(home, ["down"])).code).toBe(0);
  });

  it("fails a deploy whose service keeps crashing at start, says why, and tears the stack down", async () => {
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const [a, b] = [await freePort(), await freePort()];
    const manifest = writeManifest(home, [
      httpService("steady", fakes.http, a),
      {
        ...httpService("broken", fakes.crash, b, { dependsOn: ["steady"] }),
        restart: { initialDelayMs: 50, maxQuickCrashes: 3 },
      },
    ]);
    const r = await octl(home, ["deploy", "--detach", "--manifest", manifest]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("broken");
    expect(r.stderr).toMatch(/exited with code 1 .*crashed 3 times in a row, giving up/);
    expect(r.stderr).toContain("fake service: exiting with 1"); // the log's last lines
    const st = readStateFile(home)!;
    const broken = st.services.find((s) => s.name === "broken")!;
    expect(broken.restarts).toBe(2);
    expect(broken.status).toBe("failed");
    // The partial stack (steady) is gone with it.
    for (const pid of statePids(home)) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    const steady = st.services.find((s) => s.name === "steady")!;
    expect(steady.status).toBe("stopped");
  });

  it("starts in dependency order, shows logs, and down leaves no process behind (grandchildren included)", async () => {
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const [web, fam] = [await freePort(), await freePort()];
    const pidFile = join(home, "grandchild.pid");
    const manifest = writeManifest(home, [
      {
        name: "family",
        description: "spawns a grandchild that ignores SIGTERM",
        command: ["{node}", fakes.family],
        env: { PORT: "{port.main}", GRANDCHILD_PIDFILE: pidFile },
        ports: [{ name: "main", port: fam }],
        health: { tcp: fam },
        dependsOn: ["web"],
        urls: [],
        stopTimeoutMs: 1_000,
      },
      httpService("web", fakes.http, web),
    ]);
    const deploy = await octl(home, ["deploy", "--detach", "--manifest", manifest]);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain("Olympus is up: 2 services healthy");
    const st = readStateFile(home)!;
    const grandchild = Number(readFileSync(pidFile, "utf8"));
    const pids = [...statePids(home), grandchild];
    for (const pid of pids) track(pid);
    expect(pids).toHaveLength(4); // supervisor, web, family, family's grandchild
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(true);

    const byName = Object.fromEntries(st.services.map((s) => [s.name, s]));
    expect(Date.parse(byName["web"]!.healthyAt!)).toBeLessThanOrEqual(
      Date.parse(byName["family"]!.startedAt!),
    );

    const status = await statusJson(home);
    expect(status.map((s) => [s.name, s.status])).toEqual([
      ["web", "healthy"],
      ["family", "healthy"],
    ]);

    // Logs: a service's log, and -f following it (it sees the stop below).
    const logs = await octl(home, ["logs", "web"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain(`listening on ${web}`);
    const follow = startOctl(home, ["logs", "web", "-f", "-n", "1"]);
    track(follow.child.pid);
    await eventually("logs -f to print the last line", () => follow.output().includes("healthy after"));

    const down = await octl(home, ["down"]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("Stopped the supervisor");
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} still alive after down`).toBe(false);
    expect((await statusJson(home)).map((s) => s.status)).toEqual(["stopped", "stopped"]);

    const again = await octl(home, ["down"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing is running");

    await eventually("the stop to show up in the followed log", () =>
      follow.output().includes("[octl] stopped"),
    );
    follow.child.kill("SIGINT");
    expect((await follow.done).code).toBe(0);
  });

  it("runs in the foreground until Ctrl-C, then stops every service cleanly", async () => {
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const port = await freePort();
    const manifest = writeManifest(home, [httpService("web", fakes.http, port)]);
    const run = startOctl(home, ["deploy", "--manifest", manifest]);
    track(run.child.pid);
    await eventually("the foreground deploy to be up", () => run.output().includes("Olympus is up"), 30_000);
    expect(run.output()).toContain(`http://127.0.0.1:${port}`);
    expect(run.output()).toContain("Press Ctrl-C");
    const st = readStateFile(home)!;
    expect(st.mode).toBe("foreground");
    const pids = statePids(home); // supervisor, web
    for (const pid of pids) track(pid);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);

    // A second deploy is refused while this one runs.
    const second = await octl(home, ["deploy", "--manifest", manifest]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("already running");

    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Stopped.");
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    expect(readStateFile(home)!.phase).toBe("stopped");
  });

  it("takes the foreground stack down when the foreground octl is killed outright", async () => {
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const port = await freePort();
    const manifest = writeManifest(home, [httpService("web", fakes.http, port)]);
    const run = startOctl(home, ["deploy", "--manifest", manifest]);
    track(run.child.pid);
    await eventually("the foreground deploy to be up", () => run.output().includes("Olympus is up"), 30_000);
    const pids = statePids(home);
    for (const pid of pids) track(pid);
    run.child.kill("SIGKILL"); // what tsx's signal relay does to a child that answers late
    await run.done;
    await eventually("the supervisor and its service to stop", () => pids.every((p) => !isAlive(p)));
    expect(readStateFile(home)!.phase).toBe("stopped");
  });
  it("Ctrl-C while services are still starting stops the partial stack", async () => {
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const [port, never] = [await freePort(), await freePort()];
    // Listens on one port, is checked on another: never healthy.
    const manifest = writeManifest(home, [
      httpService("stuck", fakes.http, port, { health: { url: `http://127.0.0.1:${never}/` } }),
    ]);
    const run = startOctl(home, ["deploy", "--manifest", manifest]);
    track(run.child.pid);
    const pid = await eventually("the service to be started", () => readStateFile(home)?.services[0]?.pid);
    const pids = [...statePids(home), pid];
    for (const p of pids) track(p);
    run.child.kill("SIGINT");
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("Interrupted");
    for (const p of pids) expect(isAlive(p), `pid ${p}`).toBe(false);
  });
});
