import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identityCredentials } from "../../db/schema.ts";
import { get, json, login, messageIds, node, post, registerVerified } from "../../security/testkit.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";

let t: TestCore;
const PW = "correct horse battery";

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: { methods: { lookup_secret: { enabled: true } } },
      security: { rate_limit: { enabled: false } },
    },
  });
});
afterAll(() => t?.stop());

async function settings(token: string, body: Record<string, unknown>, flowId?: string) {
  const id = flowId ?? (await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }))).id;
  const res = await post(`${t.publicUrl}/self-service/settings?flow=${id}`, body, { token });
  return { res, body: await json(res), flowId: id };
}

describe("lookup secrets (backup codes)", () => {
  it("are generated, shown once, stored only as hashes, and each works once as a second factor", async () => {
    const { id, token } = await registerVerified(t.publicUrl, t.adminUrl, "codes@example.com", PW);
    const initial = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
    expect(node(initial, "lookup_secret_regenerate").meta.label.id).toBe(1050008);

    const gen = await settings(
      token,
      { method: "lookup_secret", lookup_secret_regenerate: true },
      initial.id,
    );
    expect(gen.res.status).toBe(200);
    const list = node(gen.body, "lookup_secret_codes");
    expect(list.attributes.text.id).toBe(1050015);
    const codes = list.attributes.text.context.secrets.map((s: any) => s.context.secret) as string[];
    expect(codes).toHaveLength(12);
    for (const c of codes) expect(c).toMatch(/^[a-z0-9]{8}$/);
    expect(node(gen.body, "lookup_secret_confirm")).toBeTruthy();

    // Not active before confirming.
    expect((await get(`${t.publicUrl}/sessions/whoami`, { token })).status).toBe(200);
    const confirmed = await settings(
      token,
      { method: "lookup_secret", lookup_secret_confirm: true },
      gen.flowId,
    );
    expect(confirmed.res.status).toBe(200);
    expect(node(confirmed.body, "lookup_secret_codes")).toBeUndefined();
    expect(node(confirmed.body, "lookup_secret_reveal")).toBeTruthy();
    const [cred] = await t.core.ctx.db
      .select()
      .from(identityCredentials)
      .where(and(eq(identityCredentials.identityId, id), eq(identityCredentials.type, "lookup_secret")));
    const stored = JSON.stringify(cred!.config);
    for (const c of codes) expect(stored).not.toContain(c);

    // A new password session is aal1 and must use a code.
    const { body } = await login(t.publicUrl, "codes@example.com", PW);
    const aal1 = body.session_token;
    expect((await get(`${t.publicUrl}/sessions/whoami`, { token: aal1 })).status).toBe(403);
    const flow = await json(await get(`${t.publicUrl}/self-service/login/api?aal=aal2`, { token: aal1 }));
    expect(node(flow, "lookup_secret").meta.label.id).toBe(1010007);
    expect(node(flow, "method")).toMatchObject({
      group: "lookup_secret",
      attributes: { value: "lookup_secret" },
    });
    const submit = (code: string) =>
      post(
        `${t.publicUrl}/self-service/login?flow=${flow.id}`,
        { method: "lookup_secret", lookup_secret: code },
        { token: aal1 },
      );
    expect(messageIds(await json(await submit("zzzzzzzz")))).toEqual([4000016]);
    const ok = await submit(codes[0]!.toUpperCase());
    expect(ok.status).toBe(200);
    expect((await json(ok)).session.authenticator_assurance_level).toBe("aal2");

    // Single use: the same code is refused in the next session.
    const again = await login(t.publicUrl, "codes@example.com", PW);
    const flow2 = await json(
      await get(`${t.publicUrl}/self-service/login/api?aal=aal2`, { token: again.body.session_token }),
    );
    const reused = await post(
      `${t.publicUrl}/self-service/login?flow=${flow2.id}`,
      { method: "lookup_secret", lookup_secret: codes[0] },
      { token: again.body.session_token },
    );
    expect(messageIds(await json(reused))).toEqual([4000012]);

    // Reveal shows which codes were used, not the codes.
    const revealed = await settings(token, { method: "lookup_secret", lookup_secret_reveal: true });
    const items = node(revealed.body, "lookup_secret_codes").attributes.text.context.secrets;
    expect(items.filter((i: any) => i.id === 1050014)).toHaveLength(1);
    expect(JSON.stringify(items)).not.toContain(codes[1]);
  });

  it("confirming without generating first is refused; disabling removes the codes", async () => {
    const { id, token } = await registerVerified(t.publicUrl, t.adminUrl, "disable@example.com", PW);
    const early = await settings(token, { method: "lookup_secret", lookup_secret_confirm: true });
    expect(early.res.status).toBe(400);
    const gen = await settings(token, { method: "lookup_secret", lookup_secret_regenerate: true });
    await settings(token, { method: "lookup_secret", lookup_secret_confirm: true }, gen.flowId);
    const off = await settings(token, { method: "lookup_secret", lookup_secret_disable: true });
    expect(off.res.status).toBe(200);
    const creds = await t.core.ctx.db
      .select()
      .from(identityCredentials)
      .where(and(eq(identityCredentials.identityId, id), eq(identityCredentials.type, "lookup_secret")));
    expect(creds).toEqual([]);
  });
});
