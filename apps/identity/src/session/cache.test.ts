import { Configuration, FrontendApi } from "@ory/client-fetch";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { identities } from "../db/schema.ts";
import { startTestCore, type TestCore } from "../testing/index.ts";

let t: TestCore;
let api: FrontendApi;
beforeAll(async () => {
  t = await startTestCore();
  api = new FrontendApi(new Configuration({ basePath: t.publicUrl }));
});
afterAll(() => t?.stop());

async function register(email: string) {
  const flow = await api.createNativeRegistrationFlow();
  const res = await api.updateRegistrationFlow({
    flow: flow.id,
    updateRegistrationFlowBody: { method: "password", password: "a long passphrase 42", traits: { email } },
  });
  return { token: res.session_token!, identityId: res.identity.id };
}

const whoami = (token: string) =>
  fetch(`${t.publicUrl}/sessions/whoami`, { headers: { "x-session-token": token } });

describe("session cache never serves a revoked session", () => {
  it("a logged-out session is refused at once, even right after being cached", async () => {
    const { token } = await register("cache-logout@example.com");
    expect((await whoami(token)).status).toBe(200);
    expect((await whoami(token)).status).toBe(200);
    const out = await fetch(`${t.publicUrl}/self-service/logout/api`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session_token: token }),
    });
    expect(out.status).toBe(204);
    expect((await whoami(token)).status).toBe(401);
  });

  it("a deactivated identity's cached session is refused at once", async () => {
    const { token, identityId } = await register("cache-deactivate@example.com");
    expect((await whoami(token)).status).toBe(200);
    await t.core.ctx.db.update(identities).set({ state: "inactive" }).where(eq(identities.id, identityId));
    expect((await whoami(token)).status).toBe(401);
  });

  it("a trait change shows in whoami at once", async () => {
    const { token, identityId } = await register("cache-traits@example.com");
    await whoami(token);
    await t.core.ctx.db
      .update(identities)
      .set({ traits: { email: "cache-traits@example.com", age: 41 } })
      .where(eq(identities.id, identityId));
    const body = (await (await whoami(token)).json()) as any;
    expect(body.identity.traits.age).toBe(41);
  });
});
