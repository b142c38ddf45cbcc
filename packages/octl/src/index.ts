// octl as a library: the manifest types and data, planning, and the supervisor.
export type { HealthCheck, PortSpec, RestartPolicy, ServiceManifest } from "./manifest.ts";
export { mailcatcher, resolveBin, services } from "./manifest.ts";
export { loadManifest, PlanError, planDeploy, type ResolvedService } from "./plan.ts";
export { layout, type Layout } from "./paths.ts";
export { readState, type ServiceState, type ServiceStatus, type StackState } from "./state.ts";
export { main } from "./cli.ts";
