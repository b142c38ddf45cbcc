import { Server } from "node:http";
import { createLogger, installRequestLogging, quietNextPath, routeConsole } from "@olympus/web/log";

// JSON lines (what Next prints included) and an X-Request-Id per request.
const logger = createLogger("site");
routeConsole(logger);
installRequestLogging(Server.prototype, { logger, quiet: quietNextPath });
