import { compose, deployCompose } from "./stack.ts";

/**
 * Brings the compose stack up with `octl deploy --compose --detach` on a fresh database volume; the
 * teardown takes it down with its volume (E2E_COMPOSE_KEEP=1 leaves it running, for debugging).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  compose(["down", "-v", "--remove-orphans"]);
  const started = Date.now();
  deployCompose();
  console.log(`compose stack healthy in ${Math.round((Date.now() - started) / 1000)} s`);
  return async () => {
    if (process.env.E2E_COMPOSE_KEEP === "1") return;
    const down = compose(["down", "-v", "--remove-orphans"]);
    if (down.code !== 0) console.error(down.output);
  };
}
