import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readRepoFile } from "../platform.ts";

const dashboard = JSON.parse(readFileSync(new URL("./olympus-identity.json", import.meta.url), "utf8")) as {
  panels: { title: string; targets: { expr: string }[] }[];
};
const metricsSource = readRepoFile("apps/identity/src/metrics/core.ts");

/** The metric names a PromQL expression reads (olympus_*; histogram and counter suffixes folded). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(olympus_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ""));
}

describe("the Grafana dashboard (deploy/grafana/olympus-identity.json)", () => {
  it("reads only metrics the identity core registers", () => {
    const names = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));
    expect(names.length).toBeGreaterThan(8);
    for (const name of new Set(names)) {
      // Registered with `name: "<metric>"`, or one of prom-client's default metrics under the olympus_ prefix.
      const own = metricsSource.includes(`name: "${name}"`);
      const builtIn = /^olympus_(process|nodejs)_/.test(name);
      expect(own || builtIn, name).toBe(true);
    }
  });

  it("covers requests, latency, flows, lockouts, the courier, caches and the pool", () => {
    const all = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    for (const name of [
      "olympus_http_request_duration_seconds_count",
      "olympus_http_request_duration_seconds_bucket",
      "olympus_selfservice_flow_outcomes_total",
      "olympus_lockouts_total",
      "olympus_courier_messages",
      "olympus_courier_deliveries_total",
      "olympus_cache_requests_total",
      "olympus_db_pool_connections",
    ]) {
      expect(all).toContain(name);
    }
  });
});
