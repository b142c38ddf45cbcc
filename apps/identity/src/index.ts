export { createCore, type CoreApps } from "./app/create.ts";
export { startCore, type RunningCore } from "./app/server.ts";
export { ConfigError, loadConfig, parseConfig, type Config, type ConfigInput } from "./config/index.ts";
export { Availability } from "./db/availability.ts";
export { openDatabase } from "./db/client.ts";
export { passwordStrength } from "./selfservice/password/strength.ts";
