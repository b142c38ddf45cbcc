import { CourierApi, Configuration, type Message } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../app/context.ts";
import { eq } from "drizzle-orm";
import { parseConfig } from "../config/index.ts";
import { courierMessages } from "../db/schema.ts";
import { startTestCore, type TestCore, testConfig } from "../testing/index.ts";
import { channelRequest } from "./http-channel.ts";
import { enqueueSms } from "./queue.ts";
import { type SmsSink, startSmsSink } from "./sms-sink.ts";
import { startCourierWorker } from "./worker.ts";

/**
 * The `sms` courier channel (Kratos' `courier.channels`, type http) against the real SMS sink over
 * HTTP: the worker renders, sends and records; the sink receives what a gateway would.
 */
let sink: SmsSink;
let t: TestCore;
let ctx: AppContext;
let courier: CourierApi;

beforeAll(async () => {
  sink = await startSmsSink();
  t = await startTestCore({
    overrides: {
      courier: {
        message_retries: 2,
        worker: {
          enabled: false,
          poll_interval: "100ms",
          retry_backoff: "200ms",
          retry_backoff_max: "400ms",
        },
        template: { brand: "Olympus" },
        channels: [
          {
            id: "sms",
            type: "http",
            request_config: {
              url: `${sink.url}/api/sms`,
              method: "POST",
              headers: { "X-Gateway": "olympus-test" },
              body: { to: "{{ recipient }}", message: "{{ body }}", kind: "{{template_type}}", n: 1 },
              auth: { type: "basic_auth", config: { user: "olympus", password: "s3cret" } },
            },
          },
          {
            id: "broken",
            type: "http",
            request_config: { url: `${sink.url}/api/nowhere` },
          },
        ],
      },
    },
  });
  ctx = t.core.ctx;
  courier = new CourierApi(new Configuration({ basePath: t.adminUrl }));
});
afterAll(async () => {
  await t?.stop();
  await sink?.close();
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const whenMessage = (id: string, test: (m: Message) => boolean, what: string) =>
  until(async () => {
    const m = await courier.getCourierMessage({ id });
    return test(m) ? m : undefined;
  }, what);

describe("courier sms channel", () => {
  it("delivers a code by SMS through the channel's HTTP request, with its template, headers and auth", async () => {
    const worker = startCourierWorker(ctx);
    ctx.notifyCourier = () => worker.notify();
    try {
      const id = await enqueueSms(ctx.db, ctx, "login_code_valid", "+15550100001", {
        login_code: "135790",
        to: "+15550100001",
      });
      ctx.notifyCourier();
      const sent = await whenMessage(id, (m) => m.status === "sent", "the SMS to be sent");
      expect(sent.type).toBe("phone");
      expect(sent.channel).toBe("sms");
      expect(sent.template_type).toBe("login_code_valid");
      const got = sink.messages().filter((m) => m.to === "+15550100001");
      expect(got).toHaveLength(1);
      expect(got[0]!.body).toBe(
        "135790 is your Olympus sign-in code. It is valid for 60 min. Do not share it.",
      );
      expect(got[0]!.payload).toEqual({
        to: "+15550100001",
        message: got[0]!.body,
        kind: "login_code_valid",
        n: 1,
      });
      expect(got[0]!.headers["x-gateway"]).toBe("olympus-test");
      expect(got[0]!.headers.authorization).toBe(`Basic ${Buffer.from("olympus:s3cret").toString("base64")}`);
      // The sink's own API lists it for that recipient.
      const listed = (await (await fetch(`${sink.url}/api/sms?to=%2B15550100001`)).json()) as unknown[];
      expect(listed).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  });

  it("records a gateway's refusal (HTTP status) on the dispatch, retries, then abandons", async () => {
    const id = await enqueueSms(ctx.db, ctx, "registration_code_valid", "+15550100002", {
      registration_code: "246802",
      to: "+15550100002",
    });
    // The message goes to the channel whose URL answers 404.
    await ctx.db.update(courierMessages).set({ channel: "broken" }).where(eq(courierMessages.id, id));
    const worker = startCourierWorker(ctx);
    ctx.notifyCourier = () => worker.notify();
    try {
      const done = await whenMessage(id, (m) => m.status === "abandoned", "abandonment");
      expect(done.send_count).toBe(2);
      expect(done.dispatches?.map((d) => d.status)).toEqual(["failed", "failed"]);
      expect(done.dispatches?.[0]?.error).toMatchObject({ response_code: 404 });
      expect(sink.messages().some((m) => m.to === "+15550100002")).toBe(false);
    } finally {
      await worker.stop();
    }
  });

  it("abandons an SMS when no `sms` channel is configured, saying so", async () => {
    const bare = parseConfig(testConfig({ dsn: "memory://" }));
    expect(bare.courier.channels).toEqual([]);
    const id = await enqueueSms(ctx.db, ctx, "login_code_valid", "+15550100003", {
      login_code: "111111",
      to: "+15550100003",
    });
    await ctx.db.update(courierMessages).set({ channel: "pager" }).where(eq(courierMessages.id, id));
    const worker = startCourierWorker(ctx);
    ctx.notifyCourier = () => worker.notify();
    try {
      const done = await whenMessage(id, (m) => m.status === "abandoned", "abandonment");
      expect(done.dispatches?.[0]?.error).toMatchObject({
        message: 'no courier channel "pager" is configured (courier.channels)',
      });
    } finally {
      await worker.stop();
    }
  });
});

describe("courier channel request", () => {
  const channel = (request_config: Record<string, unknown>) =>
    parseConfig(
      testConfig({
        dsn: "memory://",
        overrides: { courier: { channels: [{ id: "sms", type: "http", request_config }] } },
      }),
    ).courier.channels[0]!;
  const msg = {
    id: "m1",
    recipient: "+4930 1234",
    body: 'say "hi" & <bye>',
    templateType: "login_code_valid",
  };

  it("sends a form when the Content-Type says so (Twilio-style), and an api key header", () => {
    const { url, init } = channelRequest(
      channel({
        url: "https://gateway.example/send?to={{ recipient }}",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: { To: "{{ recipient }}", Body: "{{ body }}" },
        auth: { type: "api_key", config: { name: "X-Api-Key", value: "k" } },
      }),
      msg,
    );
    expect(url).toBe("https://gateway.example/send?to=%2B4930%201234");
    expect(init.body).toBe(new URLSearchParams({ To: "+4930 1234", Body: msg.body }).toString());
    expect(init.headers["X-Api-Key"]).toBe("k");
  });

  it("JSON-encodes the values it fills in, so a message cannot break out of its string", () => {
    const { init } = channelRequest(channel({ url: "https://gateway.example/send" }), msg);
    expect(JSON.parse(init.body)).toEqual({
      recipient: "+4930 1234",
      body: 'say "hi" & <bye>',
      template_type: "login_code_valid",
      message_id: "m1",
    });
    expect(init.headers["Content-Type"]).toBe("application/json");
  });

  it("refuses a channel configuration that is not a Kratos http channel", () => {
    expect(() => channel({ url: "ftp://x" })).toThrow();
    expect(() =>
      parseConfig(
        testConfig({
          dsn: "memory://",
          overrides: { courier: { channels: [{ id: "sms", type: "smtp", request_config: {} }] } },
        }),
      ),
    ).toThrow();
  });
});

describe("sms sink", () => {
  it("refuses what is not a message and keeps nothing of it", async () => {
    const s = await startSmsSink();
    try {
      const bad = await fetch(`${s.url}/api/sms`, { method: "POST", body: "not json" });
      expect(bad.status).toBe(400);
      const noTo = await fetch(`${s.url}/api/sms`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ body: "x" }),
      });
      expect(noTo.status).toBe(400);
      const big = await fetch(`${s.url}/api/sms`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ to: "+1", body: "x".repeat(70_000) }),
      });
      expect(big.status).toBe(413);
      expect(s.messages()).toEqual([]);
      const ok = await fetch(`${s.url}/api/sms`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ to: "+1", body: "hello" }),
      });
      expect(ok.status).toBe(201);
      expect((await fetch(`${s.url}/api/sms`, { method: "DELETE" })).status).toBe(204);
      expect(s.messages()).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
