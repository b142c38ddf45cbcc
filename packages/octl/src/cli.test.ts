// The CLI's surface: usage errors, and port conflicts reported before anything is spawned.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  cleanup,
  freePort,
  httpService,
  octl,
  tempHome,
  writeFakeServices,
  writeManifest,
} from "./testkit.ts";

afterAll(cleanup, 60_000);

describe("usage", () => {
  it("--version prints the package's version and exits 0", async () => {
    const r = await octl(tempHome(), ["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("an unknown command prints usage and exits non-zero", async () => {
    const r = await octl(tempHome(), ["frobnicate"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain("Usage: octl");
    expect(r.stderr).toContain("deploy");
  });

  it("a bad flag prints the command's usage and exits non-zero", async () => {
    const r = await octl(tempHome(), ["deploy", "--frobnicate"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
    expect(r.stderr).toContain("Usage: octl deploy");
  });

  it("a flag missing its value is a usage error too", async () => {
    const r = await octl(tempHome(), ["deploy", "--only"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("argument missing");
    expect(r.stderr).toContain("Usage: octl deploy");
  });

  it("no command prints usage and exits non-zero; --help exits 0", async () => {
    const home = tempHome();
    const none = await octl(home, []);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain("Usage: octl");
    const help = await octl(home, ["--help"]);
    expect(help.code).toBe(0);
    for (const cmd of ["deploy", "status", "logs", "down", "reset"]) expect(help.stdout).toContain(cmd);
    expect(help.stdout).not.toMatch(/^\s+supervise\b/m); // internal command, hidden
  });

  it("status, down and logs work when nothing was ever deployed", async () => {
    const home = tempHome();
    const down = await octl(home, ["down"]);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain("Nothing is running");
    const status = await octl(home, ["status", "--json"]);
    expect(status.code).toBe(0);
    const list = JSON.parse(status.stdout);
    expect(list.map((s: { name: string }) => s.name)).toEqual([
      "mailcatcher",
      "sms-sink",
      "identity-ciam",
      "identity-iam",
      "hera-ciam",
      "hera-iam",
      "athena-ciam",
      "athena-iam",
      "site",
    ]);
    expect(list[0]).toEqual(
      expect.objectContaining({ name: "mailcatcher", status: "stopped", pid: null, port: 5434 }),
    );
    expect(
      list.every((s: { status: string; pid: number | null }) => s.status === "stopped" && s.pid === null),
    ).toBe(true);
    const logs = await octl(home, ["logs", "nosuch"]);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain('no log for "nosuch"');
  });

  it("reset refuses without confirmation when it cannot ask", async () => {
    const home = tempHome();
    const r = await octl(home, ["reset"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--yes");
    expect(existsSync(home)).toBe(true);
  });

  it("an unknown service in --only is reported with the known ones", async () => {
    const r = await octl(tempHome(), ["deploy", "--only", "nosuch"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown service "nosuch"');
    expect(r.stderr).toContain("mailcatcher");
  });
});

describe("a port already in use", () => {
  const servers: Server[] = [];
  afterAll(() => {
    for (const s of servers) s.close();
  });
  const occupy = (port: number, host: string) =>
    new Promise<void>((resolve, reject) => {
      const srv = createServer();
      servers.push(srv);
      srv.once("error", reject);
      srv.listen(port, host, () => resolve());
    });

  it("is reported by service name and port before anything is spawned, with a non-zero exit", async () => {
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const busy = await freePort();
    const free = await freePort();
    await occupy(busy, "127.0.0.1");
    const manifest = writeManifest(home, [
      httpService("first", fakes.http, free),
      httpService("webapp", fakes.http, busy, { dependsOn: ["first"] }),
    ]);
    for (const detach of [false, true]) {
      const r = await octl(home, ["deploy", "--manifest", manifest, ...(detach ? ["--detach"] : [])]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`webapp: port ${busy} (http) is already in use`);
      expect(r.stderr).not.toContain("first:");
      // Nothing was started.
      expect(existsSync(join(home, "supervisor.pid"))).toBe(false);
      expect(existsSync(join(home, "logs", "first.log"))).toBe(false);
    }
  });

  it("is found when it is taken on IPv6 loopback only", async (ctx) => {
    const port = await freePort();
    try {
      await occupy(port, "::1");
    } catch {
      ctx.skip(); // no IPv6 here
      return;
    }
    const home = tempHome();
    const fakes = writeFakeServices(home);
    const manifest = writeManifest(home, [httpService("webapp", fakes.http, port)]);
    const r = await octl(home, ["deploy", "--manifest", manifest], { OLYMPUS_PORTS: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`webapp: port ${port} (http) is already in use`);
  });
});

describe("deploy --compose", () => {
  it("says clearly when no container engine runs, and exits non-zero", async () => {
    const { composeDeploy } = await import("./commands/compose.ts");
    const { layout } = await import("./paths.ts");
    const errors: string[] = [];
    const original = console.error;
    console.error = (msg: string) => errors.push(msg);
    try {
      expect(composeDeploy(layout(), {}, null)).toBe(1);
    } finally {
      console.error = original;
    }
    expect(errors.join("\n")).toMatch(/no container engine is running here/);
  });
});
