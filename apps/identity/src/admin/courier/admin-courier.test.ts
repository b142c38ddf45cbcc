import { CourierApi, Configuration, FrontendApi, ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MailCatcher, startMailCatcher, startTestCore, type TestCore } from "../../testing/index.ts";

let mail: MailCatcher;
let t: TestCore;
let courier: CourierApi;
let api: FrontendApi;

beforeAll(async () => {
  mail = await startMailCatcher();
  t = await startTestCore({ mail });
  courier = new CourierApi(new Configuration({ basePath: t.adminUrl }));
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(async () => {
  await t?.stop();
  await mail?.stop();
});

/** Asks for verification of an address through the public API: one queued mail each. */
async function requestVerification(email: string): Promise<void> {
  const flow = await api.createNativeVerificationFlow();
  await api.updateVerificationFlow({ flow: flow.id, updateVerificationFlowBody: { method: "code", email } });
}

async function allSent(n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const sent = await courier.listCourierMessages({ status: "sent" });
    if (sent.length >= n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("messages were not sent in time");
}

describe("admin courier API", () => {
  it("lists and gets messages in Kratos' Message shape", async () => {
    await requestVerification("courier-list@example.com");
    await allSent(1);
    const [listed] = await courier.listCourierMessages({ recipient: "courier-list@example.com" });
    expect(listed).toBeDefined();
    const raw = await fetch(`${t.adminUrl}/admin/courier/messages/${listed!.id}`);
    expect(raw.status).toBe(200);
    const body = (await raw.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        "id",
        "type",
        "status",
        "recipient",
        "subject",
        "body",
        "template_type",
        "channel",
        "send_count",
        "dispatches",
        "created_at",
        "updated_at",
      ].sort(),
    );
    const m = await courier.getCourierMessage({ id: listed!.id });
    expect(m).toMatchObject({
      id: listed!.id,
      type: "email",
      status: "sent",
      recipient: "courier-list@example.com",
      template_type: "verification_code_invalid",
      channel: "email",
      send_count: 1,
    });
    expect(m.subject).toMatch(/verify/i);
    expect(m.body.length).toBeGreaterThan(10);
    expect(m.dispatches).toHaveLength(1);
    expect(m.dispatches![0]).toMatchObject({ message_id: m.id, status: "success" });
    expect(m.dispatches![0]!.created_at).toBeInstanceOf(Date);
    // Served without the /admin prefix as well, as Kratos' admin port does.
    const bare = await fetch(`${t.adminUrl}/courier/messages/${m.id}`);
    expect(bare.status).toBe(200);
  });

  it("filters by status and recipient and rejects an unknown status", async () => {
    const sent = await courier.listCourierMessages({ status: "sent" });
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((m) => m.status === "sent")).toBe(true);
    expect(await courier.listCourierMessages({ status: "abandoned" })).toEqual([]);
    expect(await courier.listCourierMessages({ recipient: "nobody-at-all@example.com" })).toEqual([]);
    const bad = await fetch(`${t.adminUrl}/admin/courier/messages?status=lost`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: number } }).error.code).toBe(400);
  });

  it("paginates newest first with page_size/page_token and a Link header", async () => {
    for (const n of [1, 2, 3, 4, 5]) await requestVerification(`courier-page-${n}@example.com`);
    await allSent(6);
    const first = await courier.listCourierMessagesRaw({ pageSize: 2, status: "sent" });
    const page1 = await first.value();
    expect(page1.map((m) => m.recipient)).toEqual([
      "courier-page-5@example.com",
      "courier-page-4@example.com",
    ]);
    const link = first.raw.headers.get("link")!;
    expect(link).toContain('rel="first"');
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    const nextUrl = new URL(next, t.adminUrl);
    expect(nextUrl.pathname).toBe("/admin/courier/messages");
    expect(nextUrl.searchParams.get("status")).toBe("sent");
    expect(nextUrl.searchParams.get("page_size")).toBe("2");
    const page2 = await courier.listCourierMessages({
      pageSize: 2,
      status: "sent",
      pageToken: nextUrl.searchParams.get("page_token")!,
    });
    expect(page2.map((m) => m.recipient)).toEqual([
      "courier-page-3@example.com",
      "courier-page-2@example.com",
    ]);
    // Walk to the end: the last page has no rel="next".
    let url: string | undefined = next;
    const seen = new Set(page1.map((m) => m.id));
    while (url) {
      const res = await fetch(new URL(url, t.adminUrl));
      for (const m of (await res.json()) as { id: string }[]) seen.add(m.id);
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1];
    }
    expect(seen.size).toBe(6);
    const bad = await fetch(`${t.adminUrl}/admin/courier/messages?page_size=0`);
    expect(bad.status).toBe(400);
  });

  it("answers an unknown or malformed id with 404", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const err = await courier.getCourierMessage({ id }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ResponseError);
      expect((err as ResponseError).response.status).toBe(404);
    }
  });
});
