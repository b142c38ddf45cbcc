import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { olympusSettings } from "../db/security-schema.ts";
import { deriveCipherKeys } from "./crypto.ts";
import { effectiveBruteForce } from "./overrides.ts";
import { startTestCore, type TestCore } from "../testing/index.ts";
import { json } from "./testkit.ts";

let t: TestCore;
const SECRET = "turnstile-secret-value-0123456789";

beforeAll(async () => {
  t = await startTestCore({ overrides: { secrets: { cipher: ["abcdefghijklmnopqrstuvwxyz012345"] } } });
});
afterAll(() => t?.stop());

const url = (path = "") => `${t.adminUrl}/admin/olympus/settings${path}`;
const put = (path: string, body: unknown) =>
  fetch(url(path), {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const row = async (key: string) =>
  (await t.core.ctx.db.select().from(olympusSettings).where(eq(olympusSettings.key, key)))[0];

describe("settings vault", () => {
  it("encrypts secret values at rest (AES-256-GCM, versioned) and shows them masked", async () => {
    const res = await put("/captcha.secret_key", { value: SECRET, secret: true, category: "captcha" });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      key: "captcha.secret_key",
      value: "********",
      secret: true,
      category: "captcha",
    });
    const stored = await row("captcha.secret_key");
    expect(stored!.value).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    expect(stored!.value).not.toContain(SECRET);
    const list = await json(await fetch(url()));
    expect(list.find((s: any) => s.key === "captcha.secret_key").value).toBe("********");
    expect(await json(await fetch(url("/captcha.secret_key")))).toMatchObject({ value: "********" });
    expect(await json(await fetch(url("/captcha.secret_key?decrypt=true")))).toMatchObject({ value: SECRET });
    // Re-saving without `secret` keeps the value secret.
    await put("/captcha.secret_key", { value: "rotated" });
    expect((await row("captcha.secret_key"))!.secret).toBe(true);
  });

  it("binds a ciphertext to its key: moved to another key it no longer decrypts", async () => {
    await put("/a.secret", { value: "alpha", secret: true });
    await put("/b.secret", { value: "beta", secret: true });
    const a = await row("a.secret");
    await t.core.ctx.db
      .update(olympusSettings)
      .set({ value: a!.value })
      .where(eq(olympusSettings.key, "b.secret"));
    const res = await fetch(url("/b.secret?decrypt=true"));
    expect(res.status).toBe(500);
    expect(JSON.stringify(await json(res))).not.toContain("alpha");
  });

  it("plain values round-trip as JSON; categories filter; DELETE answers 204 then 404", async () => {
    await put("/captcha.theme", { value: "dark", category: "captcha" });
    await put("/ui.brand", { value: { name: "Olympus", accent: "#0f766e" }, category: "ui" });
    expect(await json(await fetch(url("/ui.brand")))).toMatchObject({
      value: { name: "Olympus", accent: "#0f766e" },
      secret: false,
    });
    const captcha = await json(await fetch(url("?category=captcha")));
    expect(captcha.map((s: any) => s.key).sort()).toEqual(["captcha.secret_key", "captcha.theme"]);
    expect((await fetch(url("/ui.brand"), { method: "DELETE" })).status).toBe(204);
    expect((await fetch(url("/ui.brand"), { method: "DELETE" })).status).toBe(404);
    expect((await fetch(url("/ui.brand"))).status).toBe(404);
  });

  it("a batch PUT is atomic: one bad item and nothing is written", async () => {
    const bad = await put("", {
      settings: [
        { key: "batch.one", value: 1 },
        { key: "Not A Key", value: 2 },
      ],
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.reason).toContain("settings.1.key");
    expect(await row("batch.one")).toBeUndefined();
    const ok = await put("", {
      settings: [
        { key: "batch.one", value: 1 },
        { key: "batch.two", value: "two", secret: true },
      ],
    });
    expect(ok.status).toBe(200);
    expect((await json(ok)).map((s: any) => s.value)).toEqual([1, "********"]);
  });

  it("refuses secret values when no cipher secret is configured, writing nothing", async () => {
    // A core built without secrets.cipher: the configuration and the keys derived from it at start.
    const cipher = t.core.ctx.config.secrets.cipher;
    const keys = t.core.ctx.cipherKeys;
    t.core.ctx.config.secrets.cipher = [];
    t.core.ctx.cipherKeys = deriveCipherKeys([]);
    try {
      const res = await put("", {
        settings: [
          { key: "nocipher.plain", value: "x" },
          { key: "nocipher.secret", value: "y", secret: true },
        ],
      });
      expect(res.status).toBe(400);
      expect((await json(res)).error.reason).toContain("secrets.cipher");
      expect(await row("nocipher.plain")).toBeUndefined();
    } finally {
      t.core.ctx.config.secrets.cipher = cipher;
      t.core.ctx.cipherKeys = keys;
    }
  });

  it("captcha and lockout settings in the vault take effect without a restart; deleting restores the file's", async () => {
    const flowNodes = async () => {
      const flow = await json(await fetch(`${t.publicUrl}/self-service/login/api`));
      return flow.ui.nodes.filter((n: any) => n.group === "captcha");
    };
    // Enabled without a site key would refuse every sign-in (fail-closed): refused with a 400, and a
    // vault row written around the API (an old core, a database restore) is ignored by the core.
    const refused = await put("/captcha.enabled", { value: true, category: "captcha" });
    expect(refused.status).toBe(400);
    expect((await json(refused)).error.reason).toContain("captcha.site_key");
    expect(await row("captcha.enabled")).toBeUndefined();
    const now = new Date();
    await t.core.ctx.db.insert(olympusSettings).values({
      key: "captcha.enabled",
      value: "true",
      secret: false,
      category: "captcha",
      createdAt: now,
      updatedAt: now,
    });
    expect(await flowNodes()).toEqual([]);
    await put("", {
      settings: [
        { key: "captcha.enabled", value: true, category: "captcha" },
        { key: "captcha.site_key", value: "1x00000000000000000000AA" },
        { key: "captcha.secret_key", value: "1x0000000000000000000000000000000AA", secret: true },
        { key: "security.brute_force.max_attempts", value: "7" },
      ],
    });
    const nodes = await flowNodes();
    expect(nodes).toHaveLength(2);
    expect(JSON.parse(nodes[1].attributes.value).sitekey).toBe("1x00000000000000000000AA");
    expect(effectiveBruteForce(t.core.ctx).max_attempts).toBe(7);
    await fetch(url("/captcha.enabled"), { method: "DELETE" });
    await fetch(url("/security.brute_force.max_attempts"), { method: "DELETE" });
    expect(await flowNodes()).toEqual([]);
    expect(effectiveBruteForce(t.core.ctx).max_attempts).toBe(5);
  });

  it("rejects bad keys and bodies with 400", async () => {
    expect((await put("/UPPER", { value: 1 })).status).toBe(400);
    expect((await put("/ok.key", { nothing: true })).status).toBe(400);
    expect((await put("", { settings: [] })).status).toBe(400);
  });

  it("types and explains every run-time setting: default, value in effect, range; secrets masked", async () => {
    const res = await fetch(`${t.adminUrl}/admin/olympus/runtime-settings`);
    expect(res.status).toBe(200);
    const list = (await json(res)) as {
      key: string;
      schema: any;
      default: unknown;
      value: unknown;
      overridden: boolean;
      description: string;
    }[];
    const by = Object.fromEntries(list.map((s) => [s.key, s]));
    expect(Object.keys(by).sort()).toEqual([
      "captcha.enabled",
      "captcha.secret_key",
      "captcha.site_key",
      "security.breached_password.mode",
      "security.brute_force.ip_max_attempts",
      "security.brute_force.lockout_duration_seconds",
      "security.brute_force.max_attempts",
      "security.brute_force.window_seconds",
    ]);
    for (const s of list) expect(s.description.length).toBeGreaterThan(20);
    expect(by["security.brute_force.max_attempts"]).toMatchObject({
      schema: { type: "integer", minimum: 1, maximum: 1000 },
      default: 5,
    });
    expect(by["security.brute_force.lockout_duration_seconds"]).toMatchObject({
      schema: { type: "integer", unit: "seconds" },
      default: 900,
    });
    expect(by["security.breached_password.mode"]?.schema).toEqual({
      type: "enum",
      options: ["block", "warn"],
    });
    expect(by["captcha.secret_key"]).toMatchObject({
      schema: { secret: true },
      overridden: true,
      value: "********",
    });
    expect(JSON.stringify(list)).not.toContain("rotated");

    await put("/security.brute_force.window_seconds", { value: 120 });
    const after = (await json(await fetch(`${t.adminUrl}/admin/olympus/runtime-settings`))) as typeof list;
    expect(after.find((s) => s.key === "security.brute_force.window_seconds")).toMatchObject({
      default: 600,
      value: 120,
      overridden: true,
    });
    expect(effectiveBruteForce(t.core.ctx).window).toBe(120_000);
    await fetch(url("/security.brute_force.window_seconds"), { method: "DELETE" });
    expect(effectiveBruteForce(t.core.ctx).window).toBe(600_000);
  });

  it("refuses a run-time setting's bad value with a 400 naming the key and its range, writing nothing", async () => {
    const bad: [string, unknown, string][] = [
      ["security.brute_force.max_attempts", 0, "from 1 to 1000"],
      ["security.brute_force.max_attempts", 1001, "from 1 to 1000"],
      ["security.brute_force.max_attempts", 2.5, "integer"],
      ["security.brute_force.max_attempts", true, "integer"],
      ["security.brute_force.max_attempts", "1e3", "integer"],
      ["security.brute_force.max_attempts", { n: 3 }, "integer"],
      ["security.brute_force.window_seconds", -5, "(seconds)"],
      ["security.breached_password.mode", "allow", "one of block, warn"],
      ["captcha.enabled", "yes", "true or false"],
      ["captcha.site_key", "", "characters"],
      ["captcha.site_key", "x".repeat(300), "characters"],
    ];
    for (const [key, value, reason] of bad) {
      const before = await row(key);
      const res = await put(`/${key}`, { value });
      expect(res.status, `${key}=${JSON.stringify(value)}`).toBe(400);
      const body = await json(res);
      expect(body.error.reason).toContain(key);
      expect(body.error.reason).toContain(reason);
      expect(await row(key), key).toEqual(before);
    }
    // One bad item in a batch: nothing of the batch is written.
    const batch = await put("", {
      settings: [
        { key: "security.brute_force.ip_max_attempts", value: 70 },
        { key: "security.brute_force.max_attempts", value: 0 },
      ],
    });
    expect(batch.status).toBe(400);
    expect(await row("security.brute_force.ip_max_attempts")).toBeUndefined();
    // Decimal text is normalised to a number; the secret key is stored encrypted even if not asked.
    expect((await put("/security.brute_force.ip_max_attempts", { value: "70" })).status).toBe(200);
    expect((await row("security.brute_force.ip_max_attempts"))!.value).toBe("70");
    expect(effectiveBruteForce(t.core.ctx).ip_max_attempts).toBe(70);
    await fetch(url("/security.brute_force.ip_max_attempts"), { method: "DELETE" });
    await fetch(url("/captcha.secret_key"), { method: "DELETE" });
    expect((await put("/captcha.secret_key", { value: "plain-request", secret: false })).status).toBe(200);
    const stored = await row("captcha.secret_key");
    expect(stored!.secret).toBe(true);
    expect(stored!.value).not.toContain("plain-request");
    // Free-form vault keys stay free-form.
    expect((await put("/app.anything", { value: { nested: [1, "two"] } })).status).toBe(200);
  });

  it("refuses removing a captcha key while the vault keeps the captcha on", async () => {
    expect(
      (
        await put("", {
          settings: [
            { key: "captcha.enabled", value: true },
            { key: "captcha.site_key", value: "1x00000000000000000000AA" },
            { key: "captcha.secret_key", value: "1x0000000000000000000000000000000AA" },
          ],
        })
      ).status,
    ).toBe(200);
    const res = await fetch(url("/captcha.site_key"), { method: "DELETE" });
    expect(res.status).toBe(400);
    // Refused, so still stored as it was.
    expect((await row("captcha.site_key"))?.value).toBe(JSON.stringify("1x00000000000000000000AA"));
    expect((await fetch(url("/captcha.enabled"), { method: "DELETE" })).status).toBe(204);
    expect((await fetch(url("/captcha.site_key"), { method: "DELETE" })).status).toBe(204);
  });
});
