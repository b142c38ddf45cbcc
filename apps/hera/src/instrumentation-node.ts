import { Server } from "node:http";
import { installPeerForwarding } from "./lib/peer";

// Node runtime only (see instrumentation.ts): every request Next's HTTP server receives from now on.
installPeerForwarding(Server.prototype);
