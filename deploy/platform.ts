import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Config, loadConfig } from "@olympus/identity";

/** The repository root (the build context of the images, and what compose's relative paths lead to). */
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));

/**
 * The domains and the ports of docs/deploying.md (also the README's table), from @olympus/platform:
 * where each service listens locally and in compose, and the admin ports that are never public.
 */
export { ADMIN_PORTS, DOMAINS, type Domain, PORTS } from "@olympus/platform";

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), "utf8");
}

/** `pnpm@10.34.9` of package.json's packageManager, as "10.34.9". */
export function pnpmVersion(): string {
  const pm = (JSON.parse(readRepoFile("package.json")) as { packageManager: string }).packageManager;
  return pm.replace(/^pnpm@/, "").replace(/\+.*$/, "");
}

/**
 * An identity core configuration as the core loads it (the YAML file plus environment overrides),
 * and the names in `env` the core does not read at all (typos, keys that do not exist). Throws the
 * core's ConfigError, naming the key path, when a value is invalid.
 */
export function identityConfig(
  file: string,
  env: Record<string, string>,
): { config: Config; unknown: string[] } {
  const config = loadConfig(file, env);
  const baseline = JSON.stringify(loadConfig(file, {}));
  const unknown = Object.keys(env).filter((name) => {
    // A name the core reads either changes the configuration or makes it invalid.
    try {
      return JSON.stringify(loadConfig(file, { [name]: "\u0000probe" })) === baseline;
    } catch {
      return false;
    }
  });
  return { config, unknown };
}

const appSources = new Map<string, string>();

function sourcesOf(app: string): string {
  let text = appSources.get(app);
  if (text === undefined) {
    const dir = join(repoRoot, "apps", app, "src");
    text = (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => /\.(ts|tsx|mjs)$/.test(f) && !/\.test\.tsx?$/.test(f))
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n");
    appSources.set(app, text);
  }
  return text;
}

/** What Next's standalone server reads itself. */
const NEXT_SERVER_ENV = new Set(["PORT", "HOSTNAME", "NODE_ENV", "NEXT_TELEMETRY_DISABLED"]);

/** The variables in `names` that a Next app (hera, athena, site) never mentions in its sources. */
export function unknownAppEnv(app: "hera" | "athena" | "site", names: string[]): string[] {
  return names.filter((n) => !NEXT_SERVER_ENV.has(n) && !new RegExp(`\\b${n}\\b`).test(sourcesOf(app)));
}
