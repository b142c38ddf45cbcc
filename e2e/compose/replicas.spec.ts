// Two replicas of the CIAM core on one database (identity-ciam on 3100-3103, identity-ciam-2 on
// 3200-3203): a session revoked through one is refused by the other at once — not when its cache
// entry expires (30 s) — because every committed change is announced with PostgreSQL NOTIFY and
// each replica drops what it cached (docs/deploying.md, "Several replicas of one core"). The checks
// run inside the stack's network namespace, where the replicas' APIs listen.
import { expect, test } from "@playwright/test";
import { runIn } from "./stack.ts";

/** Runs in the first replica's container with plain Node; prints one JSON line. */
const SCRIPT = `
const A = { pub: "http://127.0.0.1:3100", admin: "http://127.0.0.1:3101" };
const B = { pub: "http://127.0.0.1:3200", admin: "http://127.0.0.1:3201" };
const json = { "content-type": "application/json", accept: "application/json" };
const email = "replica-" + Date.now().toString(36) + "@demo.user";
const password = "Replica-Test-123!";

async function call(url, init = {}) {
  const res = await fetch(url, { ...init, headers: { ...json, ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
async function signIn(core) {
  const flow = await call(core.pub + "/self-service/login/api");
  const done = await call(core.pub + "/self-service/login?flow=" + flow.body.id, {
    method: "POST",
    body: JSON.stringify({ method: "password", identifier: email, password }),
  });
  if (done.status !== 200) throw new Error("login at " + core.pub + ": " + done.status + " " + JSON.stringify(done.body));
  return done.body;
}
const whoami = (core, token) => call(core.pub + "/sessions/whoami", { headers: { "x-session-token": token } });
/** Milliseconds until whoami at core answers 401 (polling every 5 ms, at most 5 s). */
async function refusedAfter(core, token, since) {
  for (;;) {
    const r = await whoami(core, token);
    if (r.status === 401) return Date.now() - since;
    if (Date.now() - since > 5000) return -1;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const created = await call(B.admin + "/admin/identities", {
  method: "POST",
  body: JSON.stringify({
    schema_id: "default",
    traits: { email },
    // CIAM signs in verified addresses only.
    verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
    credentials: { password: { config: { password } } },
  }),
});
if (created.status !== 201) throw new Error("create identity: " + created.status + " " + JSON.stringify(created.body));
const out = { identityCreatedOnB: created.status };

// 1. Signed in at A; B answers whoami (and caches the session); revoked through A's admin API.
const first = await signIn(A);
out.whoamiOnB = [(await whoami(B, first.session_token)).status, (await whoami(B, first.session_token)).status];
const revoked = await call(A.admin + "/admin/sessions/" + first.session.id, { method: "DELETE" });
const t1 = Date.now();
out.revokeOnA = revoked.status;
out.refusedOnBAfterMs = await refusedAfter(B, first.session_token, t1);

// 2. Signed in at B; A answers and caches; the user signs out through B's public API.
const second = await signIn(B);
out.whoamiOnA = [(await whoami(A, second.session_token)).status, (await whoami(A, second.session_token)).status];
const logout = await call(B.pub + "/self-service/logout/api", {
  method: "DELETE",
  body: JSON.stringify({ session_token: second.session_token }),
});
const t2 = Date.now();
out.logoutOnB = logout.status;
out.refusedOnAAfterMs = await refusedAfter(A, second.session_token, t2);

// 3. Each replica counted its own whoami requests (its /metrics/prometheus).
const metrics = await (await fetch(B.admin + "/metrics/prometheus")).text();
out.bCountedWhoami = /olympus_http_request_duration_seconds_count\\{[^}]*route="\\/sessions\\/whoami"[^}]*\\} [1-9]/.test(metrics);
console.log(JSON.stringify(out));
`;

test("a session revoked through one CIAM replica is refused by the other at once, both ways", () => {
  const out = JSON.parse(runIn("identity-ciam", SCRIPT).trim().split("\n").pop()!);
  expect(out.identityCreatedOnB).toBe(201);
  expect(out.whoamiOnB).toEqual([200, 200]);
  expect(out.revokeOnA).toBe(204);
  // Refused as soon as the notification arrives: well under a second, against a 30 s cache bound.
  expect(out.refusedOnBAfterMs).toBeGreaterThanOrEqual(0);
  expect(out.refusedOnBAfterMs).toBeLessThan(1000);
  expect(out.whoamiOnA).toEqual([200, 200]);
  expect(out.logoutOnB).toBe(204);
  expect(out.refusedOnAAfterMs).toBeGreaterThanOrEqual(0);
  expect(out.refusedOnAAfterMs).toBeLessThan(1000);
  expect(out.bCountedWhoami).toBe(true);
  console.log(
    `revocation seen by the other replica after ${out.refusedOnBAfterMs} ms and ${out.refusedOnAAfterMs} ms`,
  );
});
