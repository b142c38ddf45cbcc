import type { Session } from "@olympus/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IamHarness, PASSWORD, startIam } from "@/test/iam-core";
import { findSessions, toSessionRow } from "./sessions";

const session = (user_agent: string | undefined): Session =>
  ({
    id: "00000000-0000-4000-8000-000000000001",
    active: true,
    devices: [{ id: "d", ip_address: "192.0.2.7", ...(user_agent !== undefined ? { user_agent } : {}) }],
  }) as Session;

describe("the Sessions page's device", () => {
  it("reads browser, version and system from the user agent, keeping the raw header beside it", () => {
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const row = toSessionRow(session(ua));
    expect(row.device).toBe("Firefox 128 · Windows 10");
    expect(row.userAgent).toBe(ua);
    expect(row.ip).toBe("192.0.2.7");
    expect(
      toSessionRow(
        session(
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        ),
      ).device,
    ).toBe("Mobile Safari 17 · Apple iPhone, iOS 17");
  });

  it("says nothing it cannot read: no header, a hostile one, a huge one", () => {
    expect(toSessionRow(session(undefined)).device).toBeNull();
    expect(toSessionRow(session("<script>alert(1)</script>\u0000")).device).toBeNull();
    // Bounded before parsing: a megabyte of header is read as its first 512 characters.
    expect(toSessionRow(session(`Firefox/128.0 ${"A".repeat(1_000_000)}`)).device).toBe("Firefox 128");
  });
});

describe("the Sessions page against a real core", () => {
  let iam: IamHarness;
  beforeAll(async () => {
    iam = await startIam();
  });
  afterAll(() => iam?.stop());

  it("lists every session with its device (the admin list answers devices only when asked to expand them)", async () => {
    const email = `device-${Date.now()}@example.com`;
    await iam.createIdentity(email);
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const flow = (await (
      await fetch(`${iam.core.publicUrl}/self-service/login/api`, { headers: { "user-agent": ua } })
    ).json()) as { id: string };
    const login = await fetch(`${iam.core.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": ua },
      body: JSON.stringify({ method: "password", identifier: email, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const page = await findSessions({});
    const row = page.rows.find((r) => r.identifier === email);
    expect(row).toMatchObject({ active: true, userAgent: ua, device: "Firefox 128 · Windows 10" });
  });
});
