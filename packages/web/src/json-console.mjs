// @ts-check
// Preloaded by the Next.js images (`node --import …/json-console.mjs server.js`, deploy/docker): what
// the server prints from its first line on — Next's start banner included, which comes before the
// app's instrumentation runs — is a JSON line. OLYMPUS_SERVICE names the app. Only Node built-ins
// and log.mjs, copied beside it.
import { createLogger, routeConsole } from "./log.mjs";

routeConsole(createLogger(process.env.OLYMPUS_SERVICE || "next"));
