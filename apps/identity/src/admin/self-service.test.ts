import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config/index.ts";
import { startTestCore, type TestCore } from "../testing/index.ts";
import type { SelfServiceFeatures } from "./self-service.ts";

/* GET /admin/olympus/self-service: which flows the domain offers, so Hera shows only what the core does. */

let open: TestCore;
let workforce: TestCore;

beforeAll(async () => {
  [open, workforce] = await Promise.all([
    startTestCore(),
    startTestCore({
      overrides: {
        selfservice: {
          flows: { registration: { enabled: false }, settings: { delete_account: { enabled: false } } },
        },
      },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.stop(), workforce?.stop()]);
});

const features = async (t: TestCore): Promise<SelfServiceFeatures> => {
  const res = await fetch(`${t.adminUrl}/admin/olympus/self-service`);
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  return (await res.json()) as SelfServiceFeatures;
};

describe("the self-service flows a domain offers", () => {
  it("follow the configuration", async () => {
    expect(await features(open)).toEqual({
      registration: { enabled: true },
      verification: { enabled: true },
      recovery: { enabled: true },
      settings: { delete_account: { enabled: true } },
    });
    expect(await features(workforce)).toMatchObject({
      registration: { enabled: false },
      settings: { delete_account: { enabled: false } },
    });
  });

  it("are on the admin port only, and read-only", async () => {
    expect((await fetch(`${open.publicUrl}/admin/olympus/self-service`)).status).toBe(404);
    const post = await fetch(`${open.adminUrl}/admin/olympus/self-service`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ settings: { delete_account: { enabled: false } } }),
    });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect((await features(open)).settings.delete_account.enabled).toBe(true);
  });

  it("the workforce domain's seed configuration does not let employees delete their accounts", () => {
    const seed = (d: string) =>
      fileURLToPath(new URL(`../../../../seeds/${d}/identity.yml`, import.meta.url));
    expect(loadConfig(seed("iam"), {}).selfservice.flows.settings.delete_account.enabled).toBe(false);
    expect(loadConfig(seed("ciam"), {}).selfservice.flows.settings.delete_account.enabled).toBe(true);
  });
});
