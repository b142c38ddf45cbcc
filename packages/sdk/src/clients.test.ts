import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDomainClients, endpointsFromEnv, localEndpoints } from "./index.ts";

let t: TestCore;
beforeAll(async () => {
  t = await startTestCore();
});
afterAll(() => t?.stop());

describe("createDomainClients", () => {
  it("talks to a running identity core: native registration, whoami, readiness", async () => {
    const sdk = createDomainClients({ ...localEndpoints.ciam, publicUrl: t.publicUrl, adminUrl: t.adminUrl });
    const flow = await sdk.frontend.createNativeRegistrationFlow();
    const reg = await sdk.frontend.updateRegistrationFlow({
      flow: flow.id,
      updateRegistrationFlowBody: {
        method: "password",
        password: "a long passphrase 42",
        traits: { email: "sdk@example.com" },
      },
    });
    const session = await sdk.frontend.toSession({ xSessionToken: reg.session_token! });
    expect(session.identity?.traits).toEqual({ email: "sdk@example.com" });
    expect((await sdk.metadata.getVersion()).version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("sends configured headers on every call", async () => {
    const seen: string[] = [];
    const sdk = createDomainClients(
      { ...localEndpoints.ciam, publicUrl: t.publicUrl, adminUrl: t.adminUrl },
      {
        headers: { "x-olympus-test": "yes" },
        fetchApi: async (input, init) => {
          seen.push(new Headers(init?.headers).get("x-olympus-test") ?? "");
          return fetch(input, init);
        },
      },
    );
    await sdk.frontend.createNativeLoginFlow();
    expect(seen).toEqual(["yes"]);
  });
});

describe("endpointsFromEnv", () => {
  it("reads per-domain overrides and falls back to the local ports", () => {
    const e = endpointsFromEnv("iam", { IAM_KRATOS_ADMIN_URL: "http://iam-admin:4434" });
    expect(e).toEqual({ ...localEndpoints.iam, adminUrl: "http://iam-admin:4434" });
    expect(endpointsFromEnv("ciam", {})).toEqual(localEndpoints.ciam);
  });
});
