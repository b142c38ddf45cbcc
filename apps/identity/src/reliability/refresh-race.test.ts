import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createClient,
  exchangeCode,
  introspect,
  type OAuth2TestCore,
  runAuthorization,
  startOAuth2Core,
  tokenRequest,
} from "../oauth2/test-helpers.ts";

/**
 * Parallel refresh-token use: one refresh token, obtained through a real authorization-code flow
 * (login and consent accepted over the admin API, PKCE), is sent to the token endpoint 20 times at
 * once. Exactly one request wins (200 with a new token pair); the other 19 answer 400
 * `invalid_grant` in the RFC 6749 §5.2 shape; none answers 5xx; the winner's tokens stay valid
 * (a concurrent use is not mistaken for a replay that revokes the chain).
 */
describe("parallel refresh-token use", () => {
  let t: OAuth2TestCore;
  const stats = { requests: 0, faults: 0, errors: 0, lost: 0 };

  beforeAll(async () => {
    t = await startOAuth2Core();
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    const summary = {
      name: "refresh-race",
      requests_sent: stats.requests,
      faults_injected: stats.faults,
      errors_seen: stats.errors,
      data_lost: stats.lost,
    };
    mkdirSync(new URL("../../.reports/", import.meta.url), { recursive: true });
    writeFileSync(
      new URL("../../.reports/reliability-refresh-race.json", import.meta.url),
      JSON.stringify(summary, null, 2),
    );
    console.log(`reliability refresh-race: ${JSON.stringify(summary)}`);
  });

  it("20 parallel refresh grants with one token: exactly one wins, 19 invalid_grant, no 5xx", {
    timeout: 30_000,
  }, async () => {
    const client = await createClient(t);
    const flow = await runAuthorization(t, client);
    const exchanged = await exchangeCode(t, client, flow);
    stats.requests += 8; // client, authorize, login/consent reads and accepts, redirects, token
    expect(exchanged.status).toBe(200);
    const first = (await exchanged.json()) as { refresh_token: string };
    expect(first.refresh_token).toMatch(/^ory_rt_/);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        tokenRequest(t, client, { grant_type: "refresh_token", refresh_token: first.refresh_token }),
      ),
    );
    stats.requests += 20;
    stats.faults += 20;
    const bodies = await Promise.all(answers.map(async (r) => ({ status: r.status, body: await r.json() })));
    const wins = bodies.filter((b) => b.status === 200);
    const losses = bodies.filter((b) => b.status !== 200);
    stats.errors += bodies.filter((b) => b.status >= 500).length;
    if (wins.length !== 1) stats.errors += Math.abs(wins.length - 1);
    expect(bodies.filter((b) => b.status >= 500)).toEqual([]);
    expect(wins).toHaveLength(1);
    for (const l of losses) {
      expect(l.status).toBe(400);
      expect(answers[bodies.indexOf(l)]!.headers.get("content-type")).toMatch(/application\/json/);
      expect(l.body).toMatchObject({ error: "invalid_grant", error_description: expect.any(String) });
    }

    const winner = wins[0]!.body as { access_token: string; refresh_token: string };
    stats.requests += 2;
    const active = await introspect(t, winner.access_token);
    if (active.active !== true) stats.lost++;
    expect(active).toMatchObject({ active: true });
    const next = await tokenRequest(t, client, {
      grant_type: "refresh_token",
      refresh_token: winner.refresh_token,
    });
    if (next.status !== 200) stats.lost++;
    expect(next.status).toBe(200);
  });
});
