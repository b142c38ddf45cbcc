// Production bundle of the identity core: one ESM file, `dist/main.mjs`, run by plain `node`.
// Dependencies stay external (resolved from node_modules at run time, native addons and PGlite's
// WebAssembly included); only our own TypeScript is bundled, so nothing is transpiled at start and
// no loader thread is kept alive — the core starts faster and holds less memory than under tsx.
import { readFileSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const started = performance.now();
const result = await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Native addons and PGlite's WebAssembly are loaded from node_modules; everything else is bundled,
  // which spares the start the resolution and loading of a few hundred module files.
  // zxcvbn's dictionaries (a few MB) load from node_modules on first use, not with the bundle.
  external: [
    "@electric-sql/pglite",
    "@electric-sql/pglite/*",
    "@node-rs/argon2",
    "@node-rs/bcrypt",
    "@zxcvbn-ts/core",
    "@zxcvbn-ts/language-common",
    "@zxcvbn-ts/language-en",
  ],
  // CommonJS dependencies bundled into ESM still call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __olympusRequire } from "node:module"; const require = __olympusRequire(import.meta.url);',
  },
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
});
// The entry's `npx tsx` shebang does not apply to the bundle.
const out = "dist/main.mjs";
const code = readFileSync(out, "utf8");
if (code.startsWith("#!")) writeFileSync(out, `#!/usr/bin/env node${code.slice(code.indexOf("\n"))}`);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(
  `dist/main.mjs: ${Object.keys(result.metafile.inputs).length} modules, ${(bytes / 1024).toFixed(0)} KiB, ${(performance.now() - started).toFixed(0)} ms`,
);
