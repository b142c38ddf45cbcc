import { Server } from "node:http";
import { createLogger, installRequestLogging, quietNextPath, routeConsole } from "@olympus/web/log";
import { athenaEnv } from "./lib/env";

// JSON lines (what Next prints included) and an X-Request-Id per request, sent on to the core.
const logger = createLogger("athena");
routeConsole(logger);
installRequestLogging(Server.prototype, { logger, quiet: quietNextPath });

try {
  const env = athenaEnv();
  logger.info(`managing the ${env.domain.toUpperCase()} domain at ${env.publicUrl}`, {
    domain: env.domain,
    issuer: env.auth.issuerUrl,
  });
} catch (e) {
  logger.error((e as Error).message);
  process.exit(1);
}
