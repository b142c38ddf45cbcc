// The CIAM identity core through octl: deploy --detach on free ports (PGlite under OLYMPUS_HOME),
// the Kratos API answers with the seed configuration, and down leaves nothing running.
import { afterAll, expect, it } from "vitest";
import { isAlive } from "./procs.ts";
import { cleanup, freePort, octl, statePids, tempHome, track } from "./testkit.ts";

afterAll(cleanup, 60_000);

it("deploys the CIAM identity core with its seed config and a persistent PGlite database", async () => {
  const home = tempHome();
  const ports = {
    http: await freePort(),
    smtp: await freePort(),
    sms: await freePort(),
    pub: await freePort(),
    adm: await freePort(),
  };
  const args = [
    "deploy",
    "--detach",
    "--only",
    "identity-ciam",
    "--port",
    `mailcatcher.http=${ports.http}`,
    "--port",
    `mailcatcher.smtp=${ports.smtp}`,
    "--port",
    `sms-sink.http=${ports.sms}`,
    "--port",
    `identity-ciam.public=${ports.pub}`,
    "--port",
    `identity-ciam.admin=${ports.adm}`,
    "--port",
    `identity-ciam.oauth2-public=${await freePort()}`,
    "--port",
    `identity-ciam.oauth2-admin=${await freePort()}`,
  ];
  const deploy = await octl(home, args, {}, 120_000);
  expect(deploy.code, deploy.stderr + deploy.stdout).toBe(0);
  for (const pid of statePids(home)) track(pid);

  const status = JSON.parse((await octl(home, ["status", "--json"])).stdout) as {
    name: string;
    status: string;
  }[];
  expect(status.map((s) => [s.name, s.status])).toEqual([
    ["mailcatcher", "healthy"],
    ["sms-sink", "healthy"],
    ["identity-ciam", "healthy"],
  ]);
  const flow = (await (
    await fetch(`http://127.0.0.1:${ports.pub}/self-service/registration/api`)
  ).json()) as {
    ui: { nodes: { attributes: { name: string } }[] };
  };
  expect(flow.ui.nodes.map((n) => n.attributes.name)).toContain("traits.username");
  const schemas = (await (await fetch(`http://127.0.0.1:${ports.adm}/schemas`)).json()) as { id: string }[];
  expect(schemas.map((s) => s.id)).toEqual(["default", "customer", "organizational"]);

  const pids = statePids(home);
  const down = await octl(home, ["down"]);
  expect(down.code).toBe(0);
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
});
