import type { BlockList } from "node:net";
import type { Config } from "../config/index.ts";
import type { Database, Db } from "../db/client.ts";
import type { Hasher } from "../hash/hasher.ts";
import type { Hydra } from "../hydra/hydra.ts";
import type { IdentitySchemas } from "../identity/schemas.ts";
import type { CipherKeys } from "../security/crypto.ts";
import type { Logger } from "./logger.ts";
import type { Runtime } from "./runtime.ts";

/** Everything a request handler needs, built once at start (see app/create.ts). */
export interface AppContext {
  config: Config;
  rt: Runtime;
  database: Database;
  db: Db;
  schemas: IdentitySchemas;
  hasher: Hasher;
  log: Logger;
  /** `security.trusted_proxies`: the peers whose X-Forwarded-For is believed (security/ip.ts). */
  trustedProxies: BlockList;
  /** Keys for encryption at rest, derived from `secrets.cipher` (security/crypto.ts). */
  cipherKeys: CipherKeys;
  /** The OAuth2 provider as the self-service flows see it (Kratos↔Hydra bridge). */
  hydra: Hydra;
  /** Wakes the courier worker after a message was queued (no-op when the worker is off). */
  notifyCourier: () => void;
}
