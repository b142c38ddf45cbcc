#!/usr/bin/env tsx
// octl: the Olympus platform CLI (run by tsx; no build step).
import { main } from "./cli.ts";

try {
  process.exit(await main(process.argv));
} catch (err) {
  console.error(`octl: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
