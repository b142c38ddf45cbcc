/**
 * Runs once when the Next.js server starts. On Node it installs the X-Forwarded-For hook of
 * lib/peer.ts on the HTTP server, so the identity core sees the address each browser connected from,
 * and the JSON-line request log with a request id per request (@olympus/web/log).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}
