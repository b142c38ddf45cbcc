import { compose, deployCompose, run } from "./stack.ts";

/**
 * Brings the compose stack up with `octl deploy --compose --detach` on a fresh database volume; the
 * teardown takes it down with its volume (E2E_COMPOSE_KEEP=1 leaves it running, for debugging).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const engine = run("docker", ["info"]);
  if (engine.code !== 0) {
    throw new Error(
      `E2E_COMPOSE=${process.env.E2E_COMPOSE}, but no container engine answers (docker info):\n${engine.output.slice(0, 2000)}\n` +
        "Start one (deploy/container/engine.sh start) and build the images (deploy/container/images.sh), or unset E2E_COMPOSE.",
    );
  }
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
