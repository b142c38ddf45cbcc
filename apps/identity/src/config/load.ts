import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { type Config, type ConfigInput, configSchema } from "./schema.ts";

/** Thrown when configuration is invalid; the message names every bad key path and what was expected. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Every leaf key path the schema knows, e.g. ["selfservice","flows","login","ui_url"]. */
function leafPaths(schema: z.ZodType, prefix: string[] = []): string[][] {
  let s: z.ZodType = schema;
  // Unwrap defaults, optionals and pipes to reach the object shape.
  for (let i = 0; i < 10; i++) {
    const def = (s as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    if (def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else break;
  }
  if (s instanceof z.ZodObject) {
    return Object.entries(s.shape).flatMap(([k, v]) => leafPaths(v as z.ZodType, [...prefix, k]));
  }
  return [prefix];
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown) {
  let cur = target;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

function coerceEnv(raw: string): unknown {
  const t = raw.trim();
  if (t === "true" || t === "false") return t === "true";
  if (/^-?\d+$/.test(t)) return Number(t);
  if (t.startsWith("[") || t.startsWith("{")) {
    try {
      return JSON.parse(t);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Applies Kratos-style environment overrides: SELFSERVICE_FLOWS_LOGIN_UI_URL=… sets selfservice.flows.login.ui_url. */
export function applyEnvOverrides(
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const out = structuredClone(input);
  for (const path of leafPaths(configSchema)) {
    const name = path.join("_").toUpperCase();
    const value = env[name];
    if (value !== undefined && value !== "") setPath(out, path, coerceEnv(value));
  }
  applyProviderSecrets(out, env);
  return out;
}

/** The environment variable that carries a social sign-in provider's client secret, by provider id. */
export function providerSecretEnvName(providerId: string): string {
  return `SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_${providerId.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_CLIENT_SECRET`;
}

/**
 * A provider's `client_secret` from SELFSERVICE_METHODS_OIDC_CONFIG_PROVIDERS_<ID>_CLIENT_SECRET: the
 * provider list stays in the config file while its secret comes from the deployment's secret store
 * (Kratos can only replace the whole list through the environment; that still works too).
 */
function applyProviderSecrets(out: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  const oidc = (out.selfservice as { methods?: { oidc?: { config?: { providers?: unknown } } } } | undefined)
    ?.methods?.oidc;
  const providers = oidc?.config?.providers;
  if (!Array.isArray(providers)) return;
  for (const p of providers) {
    if (typeof p !== "object" || p === null || typeof (p as { id?: unknown }).id !== "string") continue;
    const value = env[providerSecretEnvName((p as { id: string }).id)];
    if (value !== undefined && value !== "") (p as { client_secret?: string }).client_secret = value;
  }
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `  - ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("\n");
}

/** Validates a config object; schema URLs that are relative paths resolve against `baseDir`. */
export function parseConfig(input: ConfigInput | Record<string, unknown>, baseDir = process.cwd()): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(`invalid configuration:\n${formatIssues(result.error)}`);
  const config = result.data;
  for (const s of config.identity.schemas) {
    if (/^(file|base64|https?):/.test(s.url)) continue;
    s.url = pathToFileURL(isAbsolute(s.url) ? s.url : resolve(baseDir, s.url)).toString();
  }
  if (!config.identity.schemas.some((s) => s.id === config.identity.default_schema_id)) {
    throw new ConfigError(
      `invalid configuration:\n  - identity.default_schema_id: expected one of ${config.identity.schemas.map((s) => s.id).join(", ")}, got "${config.identity.default_schema_id}"`,
    );
  }
  return config;
}

/** Reads a YAML config file, applies environment overrides, validates it. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: Record<string, unknown> = {};
  let baseDir = process.cwd();
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
    }
    try {
      raw = (parseYaml(text) as Record<string, unknown>) ?? {};
    } catch (e) {
      throw new ConfigError(`config file ${file} is not valid YAML: ${(e as Error).message}`);
    }
    baseDir = dirname(resolve(file));
  }
  return parseConfig(applyEnvOverrides(raw, env), baseDir);
}
