import type { StackState } from "../state.ts";
import type { SeedTarget } from "@olympus/platform/seed";

/** The seedable domains of a running stack: every `identity-<domain>` service with an `admin` port. */
export function seedTargets(state: StackState | undefined): SeedTarget[] {
  const targets: SeedTarget[] = [];
  for (const s of state?.services ?? []) {
    const m = /^identity-([a-z]+)$/.exec(s.name);
    const admin = s.ports.find((p) => p.name === "admin");
    if (!m || !admin || s.status !== "healthy") continue;
    const hydra = s.ports.find((p) => p.name === "oauth2-admin");
    targets.push({
      domain: m[1]!,
      kratosAdmin: `http://127.0.0.1:${admin.port}`,
      ...(hydra ? { hydraAdmin: `http://127.0.0.1:${hydra.port}` } : {}),
    });
  }
  return targets;
}
