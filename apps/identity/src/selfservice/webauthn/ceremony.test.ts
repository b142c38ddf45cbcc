import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "../../app/context.ts";
import { loadIdentity } from "../../identity/repository.ts";
import { json, registerVerified } from "../../security/testkit.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";
import { type FlowRow, findFlow } from "../flow/repository.ts";
import {
  authenticationOptions,
  CEREMONY_TIMEOUT_MS,
  ceremonyKey,
  finishAuthentication,
  finishRegistration,
  registrationOptions,
  relyingParty,
  saveCeremony,
} from "./ceremony.ts";
import { keysOf, newUserHandle } from "./credentials.ts";
import { addKey, findPasskeyOwner, recordUse } from "./store.ts";
import { FLAG_UP, SoftAuthenticator } from "./testing/soft-authenticator.ts";

/*
 * The WebAuthn core against a software authenticator that makes real keys and real signatures: what a
 * well-behaved browser sends verifies once, and every hostile variation (forged signature, replay,
 * another flow's challenge, wrong origin or RP id, no user verification, a counter going back,
 * garbage) is refused with the reason the strategies turn into Kratos messages.
 */

const ORIGIN = "http://localhost:4455";
let t: TestCore;
let ctx: AppContext;
let identityId: string;

beforeAll(async () => {
  t = await startTestCore({
    overrides: {
      selfservice: {
        methods: {
          passkey: {
            enabled: true,
            config: { rp: { id: "localhost", display_name: "Test", origins: [ORIGIN] } },
          },
        },
      },
    },
  });
  ctx = t.core.ctx;
  identityId = (
    await registerVerified(t.publicUrl, t.adminUrl, "ceremony@example.com", "correct horse battery")
  ).id;
}, 180_000);
afterAll(() => t?.stop());

/** A fresh flow row to hold ceremonies (an API login flow: the table and its data column are real). */
async function newFlow(): Promise<FlowRow> {
  const flow = await json(await fetch(`${t.publicUrl}/self-service/login/api`));
  return (await findFlow(ctx.db, "login", flow.id))!;
}

/** Registers a passkey for the test identity; returns the authenticator holding it. */
async function enrolledAuthenticator(): Promise<SoftAuthenticator> {
  const auth = new SoftAuthenticator(ORIGIN);
  const flow = await newFlow();
  const handle = newUserHandle();
  const { options, state } = registrationOptions(ctx, "passkey", {
    userHandle: handle,
    userName: "ceremony@example.com",
    exclude: [],
    discoverable: true,
  });
  await saveCeremony(ctx.db, flow, "passkey", state);
  const { json: answer } = auth.create(options);
  const res = await finishRegistration(ctx, flow, "passkey", answer, {
    displayName: "Test key",
    passwordless: true,
  });
  if (!res.ok) throw new Error(`registration failed: ${res.failure} ${res.detail ?? ""}`);
  // One identity keeps one user handle across keys.
  const existing = (await loadIdentity(ctx.db, identityId))!.credentials.find((c) => c.type === "passkey");
  const userHandle = (existing?.config.user_handle as string | undefined) ?? res.userHandle;
  expect(await addKey(ctx.db, identityId, "passkey", userHandle, res.key)).toBe("added");
  if (existing) {
    // Later keys must carry the identity's handle: re-bind the soft credential to it.
    auth.credentials[0]!.userHandle = Buffer.from(userHandle, "base64");
  }
  return auth;
}

async function loginCeremony(flow?: FlowRow) {
  const f = flow ?? (await newFlow());
  const { options, state } = authenticationOptions(ctx, "passkey", { userVerification: "required" });
  await saveCeremony(ctx.db, f, "passkey", state);
  return { flow: f, options };
}

const finish = (flow: FlowRow, answer: string) =>
  finishAuthentication(ctx, flow, "passkey", answer, {
    requireUserVerification: true,
    findKey: (id, handle) => findPasskeyOwner(ctx.db, id, handle),
  });

describe("WebAuthn ceremonies", () => {
  it("the relying party comes from config.rp; without it, from the public base URL", () => {
    expect(relyingParty(ctx, "passkey")).toEqual({ id: "localhost", name: "Test", origins: [ORIGIN] });
    const base = new URL(ctx.rt.publicBaseUrl);
    expect(relyingParty(ctx, "webauthn")).toEqual({
      id: base.hostname,
      name: "Olympus",
      origins: [base.origin],
    });
  });

  it("registers a discoverable key and signs in with it identifier-less; the counter and last use are kept", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    expect(options.publicKey.allowCredentials ?? []).toEqual([]);
    expect(options.publicKey.userVerification).toBe("required");
    const res = await finish(flow, auth.get(options));
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.owner.identityId).toBe(identityId);
    expect(res.newCounter).toBe(1);
    expect(await recordUse(ctx.db, identityId, "passkey", res.owner.key.id, res.newCounter)).toBe(true);
    const key = keysOf((await loadIdentity(ctx.db, identityId))!, "passkey").find(
      (k) => k.id === res.owner.key.id,
    )!;
    expect(key.authenticator.sign_count).toBe(1);
    // The use is stamped now (an ISO time within the last minute), not just present.
    expect(Date.now() - Date.parse(key.last_used_at ?? "")).toBeLessThan(60_000);
    expect(key.is_passwordless).toBe(true);
    expect(key.display_name).toBe("Test key");
    // The ceremony is gone from the flow.
    expect((await findFlow(ctx.db, "login", flow.id))!.data[ceremonyKey("passkey")]).toBeUndefined();
  });

  it("a replayed assertion is refused: the challenge answered once", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const answer = auth.get(options);
    expect((await finish(flow, answer)).ok).toBe(true);
    const reloaded = (await findFlow(ctx.db, "login", flow.id))!;
    expect(await finish(reloaded, answer)).toMatchObject({ ok: false, failure: "challenge" });
  });

  it("two concurrent submissions of one assertion: exactly one verifies", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const answer = auth.get(options);
    const copy = { ...flow, data: { ...flow.data } };
    const results = await Promise.all([finish(flow, answer), finish(copy, answer)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ failure: "challenge" });
  });

  it("an assertion for another flow's challenge is refused, and that flow's own challenge is untouched", async () => {
    const auth = await enrolledAuthenticator();
    const a = await loginCeremony();
    const b = await loginCeremony();
    expect(await finish(b.flow, auth.get(a.options))).toMatchObject({ ok: false, failure: "challenge" });
    // Flow a still answers its own challenge.
    expect((await finish(a.flow, auth.get(a.options))).ok).toBe(true);
  });

  it("a forged signature (another key) is refused and uses up the challenge", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const forged = auth.get(options, { signWith: SoftAuthenticator.foreignKey() });
    expect(await finish(flow, forged)).toMatchObject({ ok: false, failure: "rejected", identityId });
    const reloaded = (await findFlow(ctx.db, "login", flow.id))!;
    expect(await finish(reloaded, auth.get(options))).toMatchObject({ ok: false, failure: "challenge" });
  });

  it("a tampered authenticator data or client data breaks the signature", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const answer = JSON.parse(auth.get(options));
    const data = Buffer.from(answer.response.authenticatorData, "base64url");
    data.writeUInt8(data.readUInt8(data.length - 1) ^ 0xff, data.length - 1); // the counter's last byte
    answer.response.authenticatorData = data.toString("base64url");
    expect(await finish(flow, JSON.stringify(answer))).toMatchObject({ ok: false, failure: "rejected" });
  });

  it("a wrong origin is refused", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const res = await finish(flow, auth.get(options, { origin: "https://evil.example" }));
    expect(res).toMatchObject({ ok: false, failure: "rejected" });
  });

  it("a wrong RP id is refused", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const res = await finish(flow, auth.get(options, { rpId: "evil.example" }));
    expect(res).toMatchObject({ ok: false, failure: "rejected" });
  });

  it("a passkey without user verification is refused", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const res = await finish(flow, auth.get(options, { flags: FLAG_UP }));
    expect(res).toMatchObject({ ok: false, failure: "rejected" });
  });

  it("a signature counter that goes back (a cloned authenticator) is refused", async () => {
    const auth = await enrolledAuthenticator();
    const first = await loginCeremony();
    const ok = await finish(first.flow, auth.get(first.options, { counter: 5 }));
    expect(ok.ok).toBe(true);
    if (ok.ok) await recordUse(ctx.db, identityId, "passkey", ok.owner.key.id, ok.newCounter);
    const second = await loginCeremony();
    const res = await finish(second.flow, auth.get(second.options, { counter: 5 }));
    expect(res).toMatchObject({ ok: false, failure: "rejected" });
    // recordUse refuses to move a counter back or to stand still, too.
    if (ok.ok) expect(await recordUse(ctx.db, identityId, "passkey", ok.owner.key.id, 4)).toBe(false);
  });

  it("an unknown user handle or credential id finds no key", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    const res = await finish(flow, auth.get(options, { userHandle: new Uint8Array(32) }));
    expect(res).toMatchObject({ ok: false, failure: "unknown_key" });
    const other = await loginCeremony();
    expect(await finish(other.flow, auth.get(other.options, { userHandle: null }))).toMatchObject({
      ok: false,
      failure: "unknown_key",
    });
  });

  it("garbage is malformed and does not use up the challenge", async () => {
    const auth = await enrolledAuthenticator();
    const { flow, options } = await loginCeremony();
    for (const bad of ["", "{", "null", "[]", '{"id":"x"}', "x".repeat(70_000), 42]) {
      expect(await finish({ ...flow, data: { ...flow.data } }, bad as string)).toMatchObject({
        ok: false,
        failure: "malformed",
      });
    }
    expect((await finish(flow, auth.get(options))).ok).toBe(true);
  });

  it("an expired ceremony is refused", async () => {
    const auth = await enrolledAuthenticator();
    const flow = await newFlow();
    const { options, state } = authenticationOptions(ctx, "passkey", { userVerification: "required" });
    await saveCeremony(ctx.db, flow, "passkey", {
      ...state,
      expires_at: new Date(Date.now() - CEREMONY_TIMEOUT_MS).toISOString(),
    });
    expect(await finish(flow, auth.get(options))).toMatchObject({ ok: false, failure: "challenge" });
  });

  it("registration: wrong origin, wrong RP id, a get() answer or a replay are refused", async () => {
    const auth = new SoftAuthenticator(ORIGIN);
    const begin = async () => {
      const flow = await newFlow();
      const { options, state } = registrationOptions(ctx, "passkey", {
        userHandle: newUserHandle(),
        userName: "x@example.com",
        exclude: [],
        discoverable: true,
      });
      await saveCeremony(ctx.db, flow, "passkey", state);
      return { flow, options };
    };
    const reg = (flow: FlowRow, answer: string) =>
      finishRegistration(ctx, flow, "passkey", answer, { displayName: "k", passwordless: true });

    const a = await begin();
    expect(await reg(a.flow, auth.create(a.options, { origin: "https://evil.example" }).json)).toMatchObject({
      ok: false,
      failure: "rejected",
    });
    const b = await begin();
    expect(await reg(b.flow, auth.create(b.options, { rpId: "evil.example" }).json)).toMatchObject({
      ok: false,
      failure: "rejected",
    });
    const c = await begin();
    expect(await reg(c.flow, auth.create(c.options, { flags: FLAG_UP }).json)).toMatchObject({
      ok: false,
      failure: "rejected",
    });
    const d = await begin();
    const answer = auth.create(d.options).json;
    expect((await reg(d.flow, answer)).ok).toBe(true);
    const again = (await findFlow(ctx.db, "login", d.flow.id))!;
    expect(await reg(again, answer)).toMatchObject({ ok: false, failure: "challenge" });
  });
});
