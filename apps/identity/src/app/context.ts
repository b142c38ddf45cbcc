import type { BlockList } from "node:net";
import type { Config } from "../config/index.ts";
import type { SettingsOverrides } from "../config/overrides.ts";
import type { Database, Db } from "../db/client.ts";
import type { Hasher } from "../hash/hasher.ts";
import type { Hydra } from "../hydra/hydra.ts";
import type { IdentitySchemas } from "../identity/schemas.ts";
import type { CoreMetrics } from "../metrics/core.ts";
import type { CipherKeys } from "../security/crypto.ts";
import type { Logger } from "./logger.ts";
import type { Runtime } from "./runtime.ts";

/**
 * Everything a request handler needs, built once at start by the composition root (app/create.ts).
 * All per-core state is reachable from here (or from `database.state`, which the root database
 * handle carries as `db.$olympus`): no module keeps a registry of cores. The self-service layer adds
 * its own fields by declaration merging (`strategies`: selfservice/strategy/registry.ts;
 * `loginFlows`: selfservice/login/routes.ts), so that this file names nothing above the shared
 * services.
 */
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
  /** The run-time overrides of a few security settings (Athena's settings vault; config/overrides.ts). */
  overrides: SettingsOverrides;
  /** This core's Prometheus registry and instruments (metrics/core.ts). */
  metrics: CoreMetrics;
  /** Wakes the courier worker after a message was queued (no-op when the worker is off). */
  notifyCourier: () => void;
}
