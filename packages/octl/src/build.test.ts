// Build reuse: the fingerprint of a build's inputs ignores what the build itself writes, is recorded
// as the build left the tree, and changes when a source file does.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type BuildSpec, fingerprint, isFresh, runBuild } from "./build.ts";
import { type Layout, layoutAt } from "./paths.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * A repo with one app whose "build" (a Node script) does what `next build` and its friends do:
 * rewrites next-env.d.ts, writes .next/ (the output), dist/, a tsbuildinfo and a log beside the
 * sources, and counts its runs.
 */
function fakeRepo(extra = ""): { l: Layout; spec: BuildSpec; app: string; runs: () => number } {
  const root = mkdtempSync(join(tmpdir(), "octl-build-"));
  dirs.push(root);
  const app = join(root, "apps/web");
  mkdirSync(join(app, "src"), { recursive: true });
  writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  writeFileSync(join(app, "package.json"), '{ "name": "web" }\n');
  writeFileSync(join(app, "src/page.tsx"), "export default () => 'hello';\n");
  writeFileSync(join(app, "next-env.d.ts"), "/// <reference types='next' />\n");
  const script = join(root, "build.mjs");
  writeFileSync(
    script,
    `import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
const app = ${JSON.stringify(app)};
appendFileSync(${JSON.stringify(join(root, "runs"))}, "x");
writeFileSync(app + "/next-env.d.ts", "/// <reference types='next' />\\n// " + Date.now() + "\\n");
mkdirSync(app + "/.next/types", { recursive: true });
writeFileSync(app + "/.next/types/routes.d.ts", String(Date.now()));
writeFileSync(app + "/.next/BUILD_ID", String(Math.random()));
mkdirSync(app + "/dist", { recursive: true });
writeFileSync(app + "/dist/out.js", String(Date.now()));
writeFileSync(app + "/tsconfig.tsbuildinfo", String(Date.now()));
writeFileSync(app + "/build.log", "built\\n");
${extra}
`,
  );
  const l = layoutAt(root, join(root, ".olympus"));
  mkdirSync(l.logs, { recursive: true });
  const spec: BuildSpec = {
    key: "web",
    command: [process.execPath, script],
    inputs: ["apps/web", "pnpm-lock.yaml"],
    output: "apps/web/.next/BUILD_ID",
  };
  const runs = () => (existsSync(join(root, "runs")) ? readFileSync(join(root, "runs"), "utf8").length : 0);
  return { l, spec, app, runs };
}

/** Moves a file's mtime so a change is visible even within the file system's timestamp resolution. */
function bumpMtime(file: string, seconds: number): void {
  const t = new Date(Date.now() + seconds * 1000);
  utimesSync(file, t, t);
}

describe("build fingerprint", () => {
  it("is stable across a build that writes generated files, and the build is current after it", async () => {
    const { l, spec, app, runs } = fakeRepo();
    const before = fingerprint(l.root, spec);
    expect(isFresh(l, spec)).toBe(false); // never built
    await runBuild(l, spec);
    expect(runs()).toBe(1);
    // The build rewrote next-env.d.ts and wrote .next/, dist/, a tsbuildinfo and a log in the app.
    expect(readFileSync(join(app, "next-env.d.ts"), "utf8")).toMatch(/\/\/ \d+/);
    expect(existsSync(join(app, "tsconfig.tsbuildinfo"))).toBe(true);
    expect(fingerprint(l.root, spec)).toBe(before);
    expect(isFresh(l, spec)).toBe(true);

    // Generated files touched again (a `next typegen`, a test run): still current.
    bumpMtime(join(app, "next-env.d.ts"), 5);
    writeFileSync(join(app, "tsconfig.tsbuildinfo"), "changed, and longer than before");
    mkdirSync(join(app, "node_modules/.cache"), { recursive: true });
    writeFileSync(join(app, "node_modules/.cache/x"), "y");
    expect(fingerprint(l.root, spec)).toBe(before);
    expect(isFresh(l, spec)).toBe(true);
  });

  it("changes when a source file changes, is added or removed, so the build is stale", async () => {
    const { l, spec, app } = fakeRepo();
    await runBuild(l, spec);
    const built = fingerprint(l.root, spec);
    expect(isFresh(l, spec)).toBe(true);

    writeFileSync(join(app, "src/page.tsx"), "export default () => 'hello, world';\n");
    const edited = fingerprint(l.root, spec);
    expect(edited).not.toBe(built);
    expect(isFresh(l, spec)).toBe(false);

    await runBuild(l, spec);
    expect(isFresh(l, spec)).toBe(true);
    // Same size, new content: the mtime tells.
    writeFileSync(join(app, "src/page.tsx"), "export default () => 'HELLO, WORLD';\n");
    bumpMtime(join(app, "src/page.tsx"), 5);
    expect(isFresh(l, spec)).toBe(false);

    await runBuild(l, spec);
    writeFileSync(join(app, "src/new.ts"), "export const x = 1;\n");
    expect(isFresh(l, spec)).toBe(false);
    await runBuild(l, spec);
    rmSync(join(app, "src/new.ts"));
    expect(isFresh(l, spec)).toBe(false);
    await runBuild(l, spec);
    writeFileSync(join(l.root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n# changed\n");
    expect(isFresh(l, spec)).toBe(false);
  });

  it("is recorded as the build left the tree, so an input the build rewrites does not make it stale", async () => {
    // A build that also rewrites a file the skip list does not know (as `next build` does to a
    // tsconfig.json it completes): fingerprinted before the build, this was stale right away.
    const { l, spec, app, runs } = fakeRepo(
      'writeFileSync(app + "/tsconfig.json", JSON.stringify({ compilerOptions: { plugins: [{ name: "next" }] }, built: Date.now() }));',
    );
    await runBuild(l, spec);
    expect(isFresh(l, spec)).toBe(true);
    expect(runs()).toBe(1);
    expect(JSON.parse(readFileSync(join(app, "tsconfig.json"), "utf8")).compilerOptions.plugins).toHaveLength(
      1,
    );
  });

  it("a missing output or a failed build is never current", async () => {
    const { l, spec, app } = fakeRepo();
    await runBuild(l, spec);
    expect(isFresh(l, spec)).toBe(true);
    rmSync(join(app, ".next"), { recursive: true });
    expect(isFresh(l, spec)).toBe(false);

    const failing: BuildSpec = {
      ...spec,
      key: "broken",
      command: [process.execPath, "-e", "process.exit(3)"],
    };
    await expect(runBuild(l, failing)).rejects.toThrow("the build of broken failed (exit code 3)");
    expect(isFresh(l, failing)).toBe(false);
  });
});
