import { Server } from "node:http";
import { createLogger, installRequestLogging, quietNextPath, routeConsole } from "@olympus/web/log";
import { installPeerForwarding } from "./lib/peer";

// Node runtime only (see instrumentation.ts): every request Next's HTTP server receives from now on.
installPeerForwarding(Server.prototype);

// JSON lines (what Next prints included) and an X-Request-Id per request, which lib/ory.ts sends on
// to the identity core. A browser's own X-Request-Id is replaced: ids in the core's log are Hera's.
const logger = createLogger("hera");
routeConsole(logger);
installRequestLogging(Server.prototype, { logger, quiet: quietNextPath });
