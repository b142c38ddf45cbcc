import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get, json, login, messageIds, post, register } from "../../security/testkit.ts";
import { startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * After a password change the other sessions stay signed in unless the revoke_active_sessions hook is
 * on (Kratos' default): the settings flow then says so (message 1050100, Olympus), and Hera offers
 * "sign out everywhere else" with DELETE /sessions (disableMyOtherSessions).
 */

let t: TestCore;
const PW = "correct horse battery";

beforeAll(async () => {
  t = await startTestCore({ overrides: { security: { rate_limit: { enabled: false } } } });
});
afterAll(() => t?.stop());

async function changePassword(token: string, password: string): Promise<any> {
  const flow = await json(await get(`${t.publicUrl}/self-service/settings/api`, { token }));
  const res = await post(
    `${t.publicUrl}/self-service/settings?flow=${flow.id}`,
    { method: "password", password },
    { token },
  );
  expect(res.status).toBe(200);
  return json(res);
}

describe("password change and the other sessions", () => {
  it("tells how many other sessions are still signed in, and they can all be ended at once", async () => {
    const email = "still-signed-in@example.com";
    const { token } = await register(t.publicUrl, email, PW);
    const others = [];
    for (let i = 0; i < 2; i++)
      others.push((await login(t.publicUrl, email, PW)).body.session_token as string);

    const done = await changePassword(token, "a brand new passphrase");
    expect(messageIds(done)).toEqual([1050001, 1050100]);
    expect(done.ui.messages[1]).toMatchObject({ type: "info", context: { other_sessions: 2 } });
    for (const other of others)
      expect((await get(`${t.publicUrl}/sessions/whoami`, { token: other })).status).toBe(200);

    // "Sign out everywhere else": the core's disableMyOtherSessions.
    const res = await fetch(`${t.publicUrl}/sessions`, {
      method: "DELETE",
      headers: { accept: "application/json", "x-session-token": token },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ count: 2 });
    for (const other of others)
      expect((await get(`${t.publicUrl}/sessions/whoami`, { token: other })).status).toBe(401);
    expect((await get(`${t.publicUrl}/sessions/whoami`, { token })).status).toBe(200);

    // With no other session left, there is nothing to offer.
    expect(messageIds(await changePassword(token, "yet another passphrase"))).toEqual([1050001]);
  });
});
