export { ConfigError, applyEnvOverrides, loadConfig, parseConfig } from "./load.ts";
export type { Config, ConfigInput } from "./schema.ts";
export { parseDuration } from "./duration.ts";
