import { deployArgs, newHome, octl } from "./stack.ts";

/** Brings the whole platform up with `octl deploy --detach`; the teardown is `octl down`. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const home = newHome();
  process.env.OLYMPUS_HOME = home;
  const up = octl(deployArgs(), home);
  if (up.code !== 0) {
    octl(["down"], home);
    throw new Error(`octl deploy failed (exit ${up.code}):\n${up.output}`);
  }
  if (/seeding failed/i.test(up.output)) {
    octl(["down"], home);
    throw new Error(`octl deploy came up but seeding failed:\n${up.output}`);
  }
  return async () => {
    const down = octl(["down"], home);
    if (down.code !== 0) console.error(down.output);
  };
}
