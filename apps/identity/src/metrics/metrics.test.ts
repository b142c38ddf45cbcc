import { Configuration, FrontendApi } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";

let t: TestCore;
let api: FrontendApi;
beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics/prometheus`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one sample line (`name{labels} value`) whose labels include every `want` pair. */
function sample(text: string, name: string, want: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labels = line.slice(name.length + 1, line.lastIndexOf("}"));
    if (Object.entries(want).every(([k, v]) => labels.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return undefined;
}

describe("/metrics/prometheus on the admin ports", () => {
  it("counts requests by endpoint, route pattern and status, flow outcomes and cache hits", async () => {
    const flow = await api.createNativeRegistrationFlow();
    const reg = await api.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "correct horse battery",
        traits: { email: "metrics@example.com" },
      },
    });
    const token = reg.session_token!;
    for (let i = 0; i < 3; i++) await api.toSession({ xSessionToken: token });
    const login = await api.createNativeLoginFlow();
    await api
      .updateLoginFlow({
        flow: login.id,
        updateLoginFlowBody: {
          method: "password",
          identifier: "metrics@example.com",
          password: "not it at all",
        },
      })
      .catch(() => {});
    const again = await api.createNativeLoginFlow();
    await api.updateLoginFlow({
      flow: again.id,
      updateLoginFlowBody: {
        method: "password",
        identifier: "metrics@example.com",
        password: "correct horse battery",
      },
    });
    await fetch(`${t.adminUrl}/admin/identities/${reg.identity!.id}`);

    const text = await scrape(t.adminUrl);
    expect(
      sample(text, "olympus_http_request_duration_seconds_count", {
        endpoint: "public",
        route: "/sessions/whoami",
        method: "GET",
        status: "200",
      }),
    ).toBe(3);
    // Ids in paths are folded into the route pattern.
    expect(text).toContain('route="/admin/identities/:id"');
    expect(text).not.toContain(reg.identity!.id);
    // Outcomes are labelled with the method that produced them (never "unknown" for a password flow).
    expect(
      sample(text, "olympus_selfservice_flow_outcomes_total", {
        flow: "registration",
        outcome: "succeeded",
        method: "password",
      }),
    ).toBe(1);
    expect(
      sample(text, "olympus_selfservice_flow_outcomes_total", {
        flow: "login",
        outcome: "failed",
        method: "password",
      }),
    ).toBe(1);
    expect(
      sample(text, "olympus_selfservice_flow_outcomes_total", {
        flow: "login",
        outcome: "succeeded",
        method: "password",
      }),
    ).toBe(1);
    expect(text).not.toMatch(/olympus_selfservice_flow_outcomes_total\{[^}]*method="unknown"/);
    // whoami reads through the session cache: the first read misses, a later one hits.
    expect(
      sample(text, "olympus_cache_requests_total", { cache: "sessions", result: "hit" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, "olympus_cache_requests_total", { cache: "sessions", result: "miss" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, "olympus_courier_messages", { status: "queued" })).toBeGreaterThanOrEqual(0);
    expect(text).toContain("olympus_process_cpu_seconds_total");

    // The Hydra admin port serves the same registry; the public ports serve none.
    expect(await scrape(t.oauth2AdminUrl)).toContain("olympus_http_request_duration_seconds_bucket");
    expect((await fetch(`${t.publicUrl}/metrics/prometheus`)).status).toBe(404);
  });

  it("answers with the caller's X-Request-Id, or a new one, and drops ids that are not sane", async () => {
    const given = await fetch(`${t.publicUrl}/health/alive`, {
      headers: { "x-request-id": "hera-0123456789abcdef" },
    });
    expect(given.headers.get("x-request-id")).toBe("hera-0123456789abcdef");
    const fresh = await fetch(`${t.publicUrl}/health/alive`);
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await fetch(`${t.publicUrl}/health/alive`, {
      headers: { "x-request-id": "a\tb<script>" },
    });
    expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    // Every kind of answer carries it: a handler's own Response (whoami), an error body, a redirect.
    const whoami = await fetch(`${t.publicUrl}/sessions/whoami`, {
      headers: { "x-request-id": "whoami-0123456789" },
    });
    expect(whoami.status).toBe(401);
    expect(whoami.headers.get("x-request-id")).toBe("whoami-0123456789");
    const flow = await fetch(`${t.publicUrl}/self-service/login/browser`, {
      redirect: "manual",
      headers: { "x-request-id": "redirect-0123456789" },
    });
    expect(flow.status).toBe(303);
    expect(flow.headers.get("x-request-id")).toBe("redirect-0123456789");
    const missing = await fetch(`${t.adminUrl}/admin/identities/not-a-uuid`, {
      headers: { "x-request-id": "error-0123456789" },
    });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.headers.get("x-request-id")).toBe("error-0123456789");
  });
});
