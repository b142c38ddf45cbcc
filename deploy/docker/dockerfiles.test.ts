// Static checks of the images (no container engine runs in CI): every Dockerfile is multi-stage,
// ends as a non-root user on a small pinned base with a HEALTHCHECK, copies only what exists, and
// agrees with the repository on the versions and paths it assumes.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pnpmVersion, readRepoFile, repoRoot } from "../platform.ts";
import {
  type Dockerfile,
  parseCopy,
  parseDockerfile,
  type Stage,
  stageImage,
  stageVars,
} from "./dockerfile.ts";

const NEXT_APPS = ["hera", "athena", "site"] as const;

/** Each Dockerfile with the build-arg sets it is built with (compose.yml and deploy/README.md). */
const IMAGES: { file: string; variants: Record<string, string>[] }[] = [
  { file: "deploy/docker/identity.Dockerfile", variants: [{}] },
  { file: "deploy/docker/next.Dockerfile", variants: NEXT_APPS.map((APP) => ({ APP })) },
];

const load = (file: string): Dockerfile => parseDockerfile(readRepoFile(file));
const finalStage = (df: Dockerfile): Stage => df.stages.at(-1)!;
const stageNames = (df: Dockerfile) => new Set(df.stages.flatMap((s) => (s.name ? [s.name] : [])));

function argDefault(df: Dockerfile, name: string): string | undefined {
  for (const s of df.stages) {
    for (const ins of s.instructions) {
      const m = new RegExp(`^${name}=(\\S+)$`).exec(ins.keyword === "ARG" ? ins.args : "");
      if (m) return m[1];
    }
  }
  return df.globalArgs.get(name);
}

describe.each(IMAGES)("$file", ({ file, variants }) => {
  const df = load(file);

  it("is multi-stage and every stage starts from a pinned image or an earlier stage", () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
    for (const buildArgs of variants) {
      const seen = new Set<string>();
      for (const stage of df.stages) {
        const image = stageImage(df, stage, buildArgs);
        if (!seen.has(image)) {
          // registry/name:tag or name@sha256:…; a tag that is not (or does not contain) "latest".
          expect(image, `FROM ${stage.from}`).toMatch(/^[a-z0-9./-]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/);
          const tag = /:([\w.-]+)(@|$)/.exec(image)?.[1];
          expect(Boolean(tag) || /@sha256:/.test(image), `${image} has no tag or digest`).toBe(true);
          expect(tag ?? "", `${image}: no floating tags`).not.toMatch(/latest/);
        }
        if (stage.name) seen.add(stage.name);
      }
    }
  });

  it("runs on a small Node 20 base as a non-root user", () => {
    const last = finalStage(df);
    const image = stageImage(df, last);
    expect(image).toMatch(/^node:20\.\d+\.\d+-(bookworm-slim|alpine[\d.]*)(@sha256:[0-9a-f]{64})?$/);
    const users = last.instructions.filter((i) => i.keyword === "USER").map((i) => i.args);
    expect(users.length, "USER in the final stage").toBeGreaterThan(0);
    expect(users.at(-1)).toMatch(/^(node|1000)(:(node|1000))?$/);
    // Nothing after the last USER runs as root again.
    const lastUser = last.instructions.findLastIndex((i) => i.keyword === "USER");
    expect(last.instructions.slice(lastUser + 1).map((i) => i.keyword)).not.toContain("RUN");
  });

  it("has a HEALTHCHECK in the final stage, run with the script the image copies in", () => {
    const hc = finalStage(df).instructions.filter((i) => i.keyword === "HEALTHCHECK");
    expect(hc).toHaveLength(1);
    expect(hc[0]!.args).not.toMatch(/^NONE/i);
    const script = /"(\/usr\/local\/lib\/olympus\/[^"]+)"/.exec(hc[0]!.args)?.[1];
    expect(script).toBeDefined();
    const copied = finalStage(df)
      .instructions.filter((i) => i.keyword === "COPY")
      .map((i) => parseCopy(i, new Map()).dest);
    expect(copied).toContain(script);
  });

  it("copies only paths that exist: from the repository, or from an earlier stage", () => {
    expect(df.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === "ADD")).toEqual([]);
    for (const buildArgs of variants) {
      const names = new Set<string>();
      for (const stage of df.stages) {
        for (const ins of stage.instructions.filter((i) => i.keyword === "COPY")) {
          const copy = parseCopy(ins, stageVars(df, stage, buildArgs, ins.line));
          if (copy.from) {
            expect(names, `line ${copy.line}: --from=${copy.from}`).toContain(copy.from);
            continue;
          }
          for (const src of copy.sources) {
            expect(src, `line ${copy.line}: no globs`).not.toMatch(/[*?[]/);
            expect(
              existsSync(join(repoRoot, src)),
              `line ${copy.line}: ${src} (${JSON.stringify(buildArgs)})`,
            ).toBe(true);
          }
        }
        if (stage.name) names.add(stage.name);
      }
    }
    expect(stageNames(df).size).toBe(df.stages.filter((s) => s.name).length);
  });

  it("installs the pnpm of package.json's packageManager", () => {
    expect(argDefault(df, "PNPM_VERSION")).toBe(pnpmVersion());
  });
});

describe("identity.Dockerfile", () => {
  const df = load("deploy/docker/identity.Dockerfile");
  const text = readRepoFile("deploy/docker/identity.Dockerfile");

  it("builds the bundle octl runs and starts it as runtime.json says, finding the migrations next to it", () => {
    expect(text).toMatch(/pnpm --filter @olympus\/identity build/);
    expect(text).toMatch(/cp -r \/src\/apps\/identity\/dist \/out\/apps\/identity\/dist/);
    const entry = finalStage(df).instructions.find((i) => i.keyword === "ENTRYPOINT")!;
    const argv = JSON.parse(entry.args) as string[];
    const runtime = JSON.parse(readRepoFile("apps/identity/runtime.json")) as {
      nodeArgs: string[];
      env: Record<string, string>;
    };
    expect(argv).toEqual(["node", ...runtime.nodeArgs, "dist/main.mjs"]);
    for (const [k, v] of Object.entries(runtime.env)) expect(text).toContain(`${k}=${v}`);
    expect(text).toMatch(/WORKDIR \/app\/apps\/identity/);
    const pkg = JSON.parse(readRepoFile("apps/identity/package.json")) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe("node build.mjs");
    expect(readRepoFile("apps/identity/build.mjs")).toContain('outfile: "dist/main.mjs"');
    // dist/ -> ../drizzle, as src/db/ -> ../../drizzle: the lookup walks up from the module.
    expect(readRepoFile("apps/identity/src/db/client.ts")).toContain(
      'join(candidate, "meta", "_journal.json")',
    );
    expect(existsSync(join(repoRoot, "apps/identity/drizzle/meta/_journal.json"))).toBe(true);
    expect(readRepoFile("apps/identity/src/main.ts")).toContain("process.env.OLYMPUS_CONFIG");
  });

  it("deploys only @olympus/identity's production dependencies, none of them from the workspace", () => {
    expect(text).toMatch(/--filter @olympus\/identity deploy --prod/);
    const pkg = JSON.parse(readRepoFile("apps/identity/package.json")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.values(pkg.dependencies).filter((v) => v.startsWith("workspace:"))).toEqual([]);
  });
});

describe.each(NEXT_APPS)("next.Dockerfile for %s", (app) => {
  it("matches the app: standalone output, a build script and the /api/health route the image checks", () => {
    expect(readRepoFile(`apps/${app}/next.config.ts`)).toMatch(/output:\s*"standalone"/);
    const pkg = JSON.parse(readRepoFile(`apps/${app}/package.json`)) as {
      name: string;
      scripts: Record<string, string>;
    };
    expect(pkg.name).toBe(`@olympus/${app}`);
    expect(pkg.scripts.build).toMatch(/next build/);
    expect(existsSync(join(repoRoot, `apps/${app}/src/app/api/health/route.ts`))).toBe(true);
  });
});

describe(".dockerignore", () => {
  const lines = readRepoFile(".dockerignore")
    .split("\n")
    .map((l) => l.trim());

  it("keeps host installs, builds and secrets out of the build context", () => {
    for (const pattern of ["**/node_modules", "**/.next", ".git", ".olympus", "**/.env"]) {
      expect(lines).toContain(pattern);
    }
  });
});
