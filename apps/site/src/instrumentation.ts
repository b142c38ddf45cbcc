/** Runs once when the Next.js server starts: on Node, the JSON-line request log (@olympus/web/log). */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}
