import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../testing/index.ts";
import { get, json, messageIds, node, post, register, type StandIn, startStandIn } from "./testkit.ts";

let t: TestCore;
let siteverify: StandIn;
let verifies = 0;
const SITE_KEY = "1x00000000000000000000AA";
const SECRET = "1x0000000000000000000000000000000AA";
const PW = "correct horse battery";

beforeAll(async () => {
  // A stand-in for Cloudflare's siteverify: the token "pass" passes, anything else fails.
  siteverify = await startStandIn((req, res) => {
    const form = new URLSearchParams(req.body);
    const ok = form.get("secret") === SECRET && form.get("response") === "pass";
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify(ok ? { success: true } : { success: false, "error-codes": ["invalid-input-response"] }),
    );
  });
  t = await startTestCore({
    overrides: {
      captcha: {
        enabled: true,
        site_key: SITE_KEY,
        secret_key: SECRET,
        siteverify_url: `${siteverify.url}/siteverify`,
      },
      security: { rate_limit: { enabled: false } },
    },
  });
  const h = t.core.ctx.hasher;
  const verify = h.verify.bind(h);
  h.verify = (p: string, hash: string) => {
    verifies++;
    return verify(p, hash);
  };
});
afterAll(async () => {
  await t?.stop();
  await siteverify?.close();
});

const captcha = (token: string) => ({ transient_payload: { captcha_turnstile_response: token } });

describe("captcha", () => {
  it("flows carry the Turnstile nodes @ory/elements-react renders (group captcha)", async () => {
    for (const kind of ["login", "registration", "recovery"] as const) {
      const flow = await json(await get(`${t.publicUrl}/self-service/${kind}/api`));
      const nodes = flow.ui.nodes.filter((n: any) => n.group === "captcha");
      expect(nodes.map((n: any) => [n.type, n.attributes.name, n.attributes.type])).toEqual([
        ["input", "transient_payload.captcha_turnstile_response", "hidden"],
        ["input", "captcha_turnstile_options", "hidden"],
      ]);
      expect(JSON.parse(nodes[1].attributes.value)).toEqual({
        sitekey: SITE_KEY,
        theme: "auto",
        action: kind,
        response_field_name: "transient_payload.captcha_turnstile_response",
      });
    }
  });

  it("login: no or a failing response is refused with 4000038 before any password check; a passing one signs in", async () => {
    siteverify.requests.length = 0;
    const reg = await json(await get(`${t.publicUrl}/self-service/registration/api`));
    await post(`${t.publicUrl}/self-service/registration?flow=${reg.id}`, {
      method: "password",
      password: PW,
      traits: { email: "captcha-login@example.com" },
      ...captcha("pass"),
    });
    for (const extra of [{}, captcha("fail")]) {
      const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
      const before = verifies;
      const res = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: "password",
        identifier: "captcha-login@example.com",
        password: PW,
        ...extra,
      });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(messageIds(body)).toEqual([4000038]);
      expect(node(body, "captcha_turnstile_options")).toBeTruthy();
      expect(verifies).toBe(before);
    }
    const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
    const ok = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
      method: "password",
      identifier: "captcha-login@example.com",
      password: PW,
      ...captcha("pass"),
    });
    expect(ok.status).toBe(200);
    const sent = siteverify.requests.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
    expect(sent.at(-1)).toMatchObject({ secret: SECRET, response: "pass" });
  });

  it("registration and recovery are refused without a passing response", async () => {
    const reg = await json(await get(`${t.publicUrl}/self-service/registration/api`));
    const refused = await post(`${t.publicUrl}/self-service/registration?flow=${reg.id}`, {
      method: "password",
      password: PW,
      traits: { email: "captcha-reg@example.com" },
    });
    expect(refused.status).toBe(400);
    expect(messageIds(await json(refused))).toEqual([4000038]);
    const ok = await post(`${t.publicUrl}/self-service/registration?flow=${reg.id}`, {
      method: "password",
      password: PW,
      traits: { email: "captcha-reg@example.com" },
      ...captcha("pass"),
    });
    expect(ok.status).toBe(200);

    const rec = await json(await get(`${t.publicUrl}/self-service/recovery/api`));
    const noToken = await post(`${t.publicUrl}/self-service/recovery?flow=${rec.id}`, {
      method: "code",
      email: "captcha-reg@example.com",
    });
    expect(noToken.status).toBe(400);
    expect(messageIds(await json(noToken))).toEqual([4000038]);
    const sent = await post(`${t.publicUrl}/self-service/recovery?flow=${rec.id}`, {
      method: "code",
      email: "captcha-reg@example.com",
      ...captcha("pass"),
    });
    expect(sent.status).toBe(200);
    expect((await json(sent)).state).toBe("sent_email");
  });

  it("is fail-closed: when siteverify cannot be reached, the submission is refused", async () => {
    await register(t.publicUrl, "captcha-closed@example.com", PW, captcha("pass"));
    const url = t.core.ctx.config.captcha.siteverify_url;
    t.core.ctx.config.captcha.siteverify_url = "http://127.0.0.1:1/siteverify";
    try {
      const flow = await json(await get(`${t.publicUrl}/self-service/login/api`));
      const res = await post(`${t.publicUrl}/self-service/login?flow=${flow.id}`, {
        method: "password",
        identifier: "captcha-closed@example.com",
        password: PW,
        ...captcha("pass"),
      });
      expect(res.status).toBe(400);
      expect(messageIds(await json(res))).toEqual([4000038]);
    } finally {
      t.core.ctx.config.captcha.siteverify_url = url;
    }
  });
});
