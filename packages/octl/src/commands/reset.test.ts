// `octl reset`: wipes the state directory with --yes, refuses without a confirmation it cannot ask
// for, and refuses while the platform runs unless --down (which stops it first, leaving nothing).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../procs.ts";
import {
  cleanup,
  freePort,
  httpService,
  octl,
  readStateFile,
  statePids,
  tempHome,
  track,
  writeFakeServices,
  writeManifest,
} from "../testkit.ts";

afterAll(cleanup, 60_000);

/** util-linux `script`: runs a command on a pseudo-terminal, so octl can ask (Debian: bsdutils). */
const SCRIPT = "/usr/bin/script";

/** `octl reset` on a terminal, answering `answer` to its question. */
function resetOnTerminal(home: string, answer: string): { code: number | null; output: string } {
  const bin = fileURLToPath(new URL("../bin.ts", import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, "--import", tsx, bin, "reset"].map(quote).join(" ");
  const r = spawnSync(SCRIPT, ["-qec", command, "/dev/null"], {
    input: `${answer}\n`,
    env: { ...process.env, OLYMPUS_HOME: home },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Some state, as a deploy leaves it. */
function fakeState(home: string): void {
  mkdirSync(join(home, "data", "identity-ciam"), { recursive: true });
  writeFileSync(join(home, "data", "identity-ciam", "PG_VERSION"), "16");
  mkdirSync(join(home, "logs"), { recursive: true });
  writeFileSync(join(home, "logs", "identity-ciam.log"), "log line\n");
}

/** Deploys one fake service into `home` (detached) and returns its state pids. */
async function deployFake(home: string, dir = home): Promise<number[]> {
  const fakes = writeFakeServices(dir);
  const manifest = writeManifest(dir, [httpService("web", fakes.http, await freePort())]);
  const r = await octl(home, ["deploy", "--detach", "--manifest", manifest]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const pids = statePids(home);
  for (const pid of pids) track(pid);
  expect(pids.length).toBe(2); // supervisor and the service
  return pids;
}

describe("octl reset", () => {
  it("with --yes wipes what octl keeps in a custom OLYMPUS_HOME and leaves other files", async () => {
    const home = tempHome();
    await deployFake(home);
    expect((await octl(home, ["down"])).code).toBe(0);
    for (const entry of ["logs", "data", "state.json"]) expect(existsSync(join(home, entry))).toBe(true);

    const r = await octl(home, ["reset", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Reset: ${home} wiped.`);
    for (const entry of ["logs", "data", "state.json", "supervisor.pid"]) {
      expect(existsSync(join(home, entry))).toBe(false);
    }
    // Not octl's: the manifest and the fake service scripts this test put there.
    expect(readdirSync(home).sort()).toEqual(["family.mjs", "http.mjs", "crash.mjs", "manifest.json"].sort());
  });

  it("with --yes empties a .olympus/ directory except its build records", async () => {
    const parent = tempHome();
    const home = join(parent, ".olympus");
    await deployFake(home, parent);
    expect((await octl(home, ["down"])).code).toBe(0);
    writeFileSync(join(home, "data", "web-extra"), "caught mail, say");
    writeFileSync(join(home, "secrets.json"), "{}");
    mkdirSync(join(home, "builds"), { recursive: true });
    writeFileSync(join(home, "builds", "hera.json"), "{}");

    const r = await octl(home, ["reset", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(home)).toEqual(["builds"]);
    expect(readdirSync(join(home, "builds"))).toEqual(["hera.json"]);
    expect(existsSync(join(parent, "manifest.json"))).toBe(true);

    const again = await octl(home, ["reset", "--yes"]);
    expect(again.code).toBe(0);
    expect(readdirSync(home)).toEqual(["builds"]);
  });

  it("without --yes and no terminal to ask on, refuses and deletes nothing", async () => {
    const home = tempHome();
    fakeState(home);

    const r = await octl(home, ["reset"]); // stdin is not a TTY here
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("pass --yes to confirm");
    expect(existsSync(join(home, "data", "identity-ciam", "PG_VERSION"))).toBe(true);
    expect(existsSync(join(home, "logs", "identity-ciam.log"))).toBe(true);
  });

  it("refuses while the platform runs (even with --yes); --down stops it first and leaves no process", async () => {
    const home = tempHome();
    const pids = await deployFake(home);
    const supervisor = readStateFile(home)?.supervisorPid;

    const refused = await octl(home, ["reset", "--yes"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Olympus is running (supervisor pid ${supervisor})`);
    expect(refused.stderr).toContain("octl reset --down");
    expect(pids.every(isAlive)).toBe(true);
    expect(existsSync(join(home, "state.json"))).toBe(true);
    expect(existsSync(join(home, "data"))).toBe(true);

    // --down without --yes still needs the confirmation: nothing is stopped, nothing deleted.
    const unconfirmed = await octl(home, ["reset", "--down"]);
    expect(unconfirmed.code).toBe(1);
    expect(pids.every(isAlive)).toBe(true);

    const r = await octl(home, ["reset", "--yes", "--down"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Stopped the running platform.");
    expect(pids.filter(isAlive)).toEqual([]);
    for (const entry of ["logs", "data", "state.json", "supervisor.pid"]) {
      expect(existsSync(join(home, entry))).toBe(false);
    }
  });

  it.skipIf(!existsSync(SCRIPT))(
    "on a terminal, asks first: anything but yes deletes nothing, yes wipes",
    () => {
      const home = tempHome();
      fakeState(home);
      const no = resetOnTerminal(home, "n");
      expect(no.output).toContain(`Delete ${home} (databases, caught mail, logs, state)? [y/N]`);
      expect(no.output).toContain("Nothing was deleted.");
      expect(no.code).toBe(1);
      expect(existsSync(join(home, "data", "identity-ciam", "PG_VERSION"))).toBe(true);

      const yes = resetOnTerminal(home, "y");
      expect(yes.output).toContain(`Reset: ${home} wiped.`);
      expect(yes.code).toBe(0);
      expect(existsSync(join(home, "data"))).toBe(false);
      expect(existsSync(join(home, "logs"))).toBe(false);
    },
  );
});
