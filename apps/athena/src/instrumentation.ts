/** Validates the configuration when the server starts, so a bad or missing setting stops it at once. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await import("./instrumentation-node");
}
