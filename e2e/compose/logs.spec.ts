// Logs are JSON lines in every service, and a request id crosses from Hera to the core: Hera gives
// each request an id (its X-Request-Id response header), sends it on with every call it makes to the
// core — through the /.ory pass-through and from its own server code alike — and both log it.
import { expect, test } from "@playwright/test";
import { containerOf, run } from "./stack.ts";

const HERA = "http://localhost:3000";

/** What a service's container wrote, stdout and stderr, line by line (`docker logs`, nothing added). */
function logLines(service: string): string[] {
  const out = run("docker", ["logs", containerOf(service)]);
  expect(out.code, out.output).toBe(0);
  return out.output.split("\n").filter((l) => l.trim() !== "");
}

/** The JSON lines a service logged. */
function jsonLines(service: string): Array<Record<string, unknown>> {
  return logLines(service)
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

test("Hera's request id reaches the core's log, from the pass-through and from Hera's server code", async () => {
  // The pass-through: Hera forwards /.ory/* to the core's public API with its own id.
  const start = await fetch(`${HERA}/.ory/self-service/login/browser`, {
    redirect: "manual",
    headers: { "x-request-id": "forged-by-the-browser-0001" },
  });
  expect(start.status).toBe(303);
  const passId = start.headers.get("x-request-id");
  expect(passId).toMatch(/^[0-9a-f-]{36}$/);
  const flow = new URL(start.headers.get("location")!, HERA).searchParams.get("flow");
  expect(flow).toMatch(/^[0-9a-f-]{36}$/);

  // Hera's server code: the login page reads the flow from the core (lib/ory.ts clients()).
  const page = await fetch(`${HERA}/login?flow=${flow}`, { headers: { cookie: cookiesOf(start) } });
  expect(page.status).toBe(200);
  const pageId = page.headers.get("x-request-id");
  expect(pageId).toMatch(/^[0-9a-f-]{36}$/);
  expect(pageId).not.toBe(passId);

  await expect
    .poll(() => {
      const core = jsonLines("identity-ciam").filter((l) => l.msg === "request");
      return {
        pass: core.find((l) => l.request_id === passId)?.route,
        page: core.find((l) => l.request_id === pageId)?.route,
        forged: core.some((l) => l.request_id === "forged-by-the-browser-0001"),
      };
    })
    .toEqual({ pass: "/self-service/login/browser", page: "/self-service/login/flows", forged: false });

  const hera = jsonLines("hera-ciam");
  expect(hera.find((l) => l.msg === "request" && l.request_id === pageId)).toMatchObject({
    service: "hera",
    level: "info",
    method: "GET",
    path: "/login",
    status: 200,
  });
});

test("every line the apps and the core wrote is JSON", () => {
  for (const service of ["identity-ciam", "hera-ciam", "athena-ciam", "site"]) {
    const lines = logLines(service);
    expect(lines.length, service).toBeGreaterThan(0);
    const notJson = lines.filter((l) => {
      try {
        return typeof JSON.parse(l) !== "object";
      } catch {
        return true;
      }
    });
    expect(notJson, service).toEqual([]);
  }
});
