import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ServiceManifest } from "./manifest.ts";
import { services as builtIn } from "./manifest.ts";
import { layout } from "./paths.ts";
import { dependencyOrder, PlanError, planDeploy, validateManifest } from "./plan.ts";

const l = layout({ OLYMPUS_HOME: "/tmp/octl-plan-test" });

const svc = (name: string, port: number, extra: Partial<ServiceManifest> = {}): ServiceManifest => ({
  name,
  description: name,
  command: ["{node}", "{manifestDir}/x.js", "--port", "{port.http}", "--data", "{data}"],
  ports: [{ name: "http", port }],
  health: { url: "http://127.0.0.1:{port.http}/health" },
  dependsOn: [],
  urls: [{ label: name, url: "http://localhost:{port.http}" }],
  ...extra,
});

describe("planDeploy", () => {
  it("gives each deployment persistent secrets, peer ports and per-domain databases", () => {
    const home = mkdtempSync(join(tmpdir(), "octl-secrets-"));
    const lay = layout({ OLYMPUS_HOME: home });
    const app = svc("app", 3000, {
      env: {
        KEY: "{secret.app-key}",
        SHORT: "{secret.other:8}",
        SMTP: "{peer.mail:smtp}",
        DSN: "{database.ciam}",
      },
    });
    const mail = svc("mail", 5000, {
      ports: [
        { name: "http", port: 5000 },
        { name: "smtp", port: 1025 },
      ],
    });
    const [first] = planDeploy([app, mail], {
      layout: lay,
      manifestDir: "/m",
      only: ["app"],
      ports: ["mail.smtp=2525"],
    });
    expect(first!.env.KEY).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(first!.env.SHORT).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(first!.env.SMTP).toBe("2525");
    expect(first!.env.DSN).toBe(join(home, "data", "app"));
    expect(statSync(join(home, "secrets.json")).mode & 0o777).toBe(0o600);
    const [again] = planDeploy([app, mail], {
      layout: lay,
      manifestDir: "/m",
      only: ["app"],
      databaseUrl: "postgres://pg@db.local:5432/postgres",
    });
    expect(again!.env.KEY).toBe(first!.env.KEY);
    expect(again!.env.DSN).toBe("postgres://pg@db.local:5432/olympus_ciam");
    expect(() =>
      planDeploy([svc("x", 1, { env: { P: "{peer.nope:smtp}" } })], { layout: lay, manifestDir: "/m" }),
    ).toThrow(PlanError);
  });

  it("plans the identity cores from the seed configs, with mail going to the mail catcher", () => {
    const planned = planDeploy(builtIn, {
      layout: l,
      manifestDir: "/repo",
      ports: ["mailcatcher.smtp=2526"],
    });
    const ciam = planned.find((s) => s.name === "identity-ciam")!;
    expect(ciam.command.slice(-4)).toEqual([
      "apps/identity/dist/main.mjs",
      "serve",
      "--config",
      "seeds/ciam/identity.yml",
    ]);
    expect(ciam.build?.output).toBe("apps/identity/dist/main.mjs");
    expect(ciam.env.COURIER_SMTP_CONNECTION_URI).toBe("smtp://127.0.0.1:2526/?disable_starttls=true");
    expect(ciam.ports.map((p) => p.port)).toEqual([3100, 3101, 3102, 3103]);
    expect(planned.find((s) => s.name === "identity-iam")!.ports.map((p) => p.port)).toEqual([
      4100, 4101, 4102, 4103,
    ]);
    const hera = planned.find((s) => s.name === "hera-iam")!;
    expect(hera.env.KRATOS_PUBLIC_URL).toBe("http://127.0.0.1:4100");
    expect(hera.env.HYDRA_ADMIN_URL).toBe("http://127.0.0.1:4103");
    expect(hera.build?.key).toBe("hera");
    expect(planned.findIndex((s) => s.name === "mailcatcher")).toBeLessThan(
      planned.findIndex((s) => s.name === "identity-ciam"),
    );
  });

  it("fills placeholders and applies port overrides everywhere a port appears", () => {
    const [s] = planDeploy([svc("web", 3000)], { layout: l, manifestDir: "/m", ports: ["web.http=13000"] });
    expect(s!.command).toEqual([
      process.execPath,
      "/m/x.js",
      "--port",
      "13000",
      "--data",
      "/tmp/octl-plan-test/data/web",
    ]);
    expect(s!.health).toEqual({ kind: "http", url: "http://127.0.0.1:13000/health" });
    expect(s!.url).toBe("http://localhost:13000");
    expect(s!.logFile).toBe("/tmp/octl-plan-test/logs/web.log");
    expect(s!.cwd).toBe("/m");
  });

  it("remaps a numeric TCP health port with its override, and resolves port names", () => {
    const tcp = svc("smtp", 1025, {
      command: ["x"],
      urls: [],
      ports: [{ name: "smtp", port: 1025 }],
      health: { tcp: 1025 },
    });
    const named = svc("db", 5432, {
      command: ["x"],
      urls: [],
      ports: [{ name: "pg", port: 5432 }],
      health: { tcp: "pg" },
    });
    const [a, b] = planDeploy([tcp, named], {
      layout: l,
      manifestDir: "/m",
      ports: ["smtp=2025", "db.pg=6543"],
    });
    expect(a!.health).toEqual({ kind: "tcp", port: 2025 });
    expect(b!.health).toEqual({ kind: "tcp", port: 6543 });
  });

  it("sorts by dependency and adds dependencies of --only services", () => {
    const list = [
      svc("hera", 3000, { dependsOn: ["core"] }),
      svc("core", 3100, { dependsOn: ["mail"] }),
      svc("mail", 5434),
      svc("site", 2000),
    ];
    expect(planDeploy(list, { layout: l, manifestDir: "/m" }).map((s) => s.name)).toEqual([
      "mail",
      "core",
      "hera",
      "site",
    ]);
    expect(planDeploy(list, { layout: l, manifestDir: "/m", only: ["hera"] }).map((s) => s.name)).toEqual([
      "mail",
      "core",
      "hera",
    ]);
  });

  it("rejects cycles, unknown services, bad overrides and ports used twice", () => {
    const cyclic = [svc("a", 1, { dependsOn: ["b"] }), svc("b", 2, { dependsOn: ["a"] })];
    expect(() => dependencyOrder(cyclic)).toThrow(/dependency cycle: a -> b -> a/);
    const two = [svc("a", 1), svc("b", 2)];
    expect(() => planDeploy(two, { layout: l, manifestDir: "/", only: ["zzz"] })).toThrow(PlanError);
    expect(() => planDeploy(two, { layout: l, manifestDir: "/", ports: ["a.nope=3"] })).toThrow(
      /has no port "nope"/,
    );
    expect(() => planDeploy(two, { layout: l, manifestDir: "/", ports: ["a=x"] })).toThrow(
      /bad port override/,
    );
    expect(() => planDeploy(two, { layout: l, manifestDir: "/", ports: ["b=1"] })).toThrow(
      /port 1 is used twice/,
    );
  });

  it("validates manifest files with messages naming the entry", () => {
    expect(() => validateManifest([{ name: "Bad Name" }], "m.json")).toThrow(/services\[0\]\.name/);
    expect(() => validateManifest([svc("a", 1, { dependsOn: ["ghost"] })], "m.json")).toThrow(
      /"a" depends on unknown service "ghost"/,
    );
    expect(() => validateManifest([svc("a", 1), svc("a", 2)], "m.json")).toThrow(/listed twice/);
  });

  it("plans the built-in manifest: MailDev from node_modules with its mail directory under .olympus/data", () => {
    const [mc] = planDeploy(builtIn, { layout: l, manifestDir: l.root });
    expect(mc!.name).toBe("mailcatcher");
    expect(mc!.ports).toEqual([
      { name: "http", port: 5434 },
      { name: "smtp", port: 1025 },
    ]);
    expect(mc!.command[1]).toMatch(/maildev\/dist\/bin\/maildev\.js$/);
    expect(mc!.command).toContain("/tmp/octl-plan-test/data/mailcatcher");
    expect(mc!.health).toEqual({ kind: "http", url: "http://127.0.0.1:5434/api/healthz" });
  });
});
