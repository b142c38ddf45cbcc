#!/usr/bin/env node
// Creates deploy/compose/.env from .env.example, filling every empty value with random hex (32
// characters for the *_SECRETS_CIPHER keys, which must be exactly 32; 64 otherwise). Run again, it
// keeps the values already in .env and only adds keys that are missing there.
//
//   node deploy/compose/init-env.mjs [--print]     (--print: write to stdout instead of .env)
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const examplePath = join(here, ".env.example");
const envPath = join(here, ".env");

/** KEY=value lines of an env file (comments and blank lines skipped). */
export function parseEnv(text) {
  const out = new Map();
  for (const line of text.split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** A random value for an empty key of .env.example. */
export function randomValue(key) {
  return randomBytes(key.endsWith("_SECRETS_CIPHER") ? 16 : 32).toString("hex");
}

/** The .env text: .env.example's lines, with values from `existing` or fresh random ones. */
export function renderEnv(exampleText, existing = new Map()) {
  return exampleText
    .split("\n")
    .map((line) => {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
      if (!m) return line;
      const [, key, value] = m;
      return `${key}=${existing.get(key) || value || randomValue(key)}`;
    })
    .join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const existing = existsSync(envPath) ? parseEnv(readFileSync(envPath, "utf8")) : new Map();
  const text = renderEnv(readFileSync(examplePath, "utf8"), existing);
  if (process.argv.includes("--print")) {
    process.stdout.write(text);
  } else {
    // Keys only .env has (set by hand) survive at the end.
    const known = parseEnv(text);
    const extra = [...existing].filter(([k]) => !known.has(k)).map(([k, v]) => `${k}=${v}`);
    writeFileSync(envPath, extra.length ? `${text.trimEnd()}\n\n${extra.join("\n")}\n` : text, {
      mode: 0o600,
    });
    console.log(`${existing.size ? "updated" : "created"} ${envPath}`);
  }
}
