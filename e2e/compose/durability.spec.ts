// The database lives in a named volume (olympus_postgres-data): after `down` and `up` again an
// identity created before is still there and still signs in. The calls run inside the stack's
// network namespace (the CIAM core's admin API is never published).
import { expect, test } from "@playwright/test";
import { compose, deployCompose, runIn } from "./stack.ts";

const email = `durable-${Date.now().toString(36)}@demo.user`;
const password = "Durable-Test-123!";

/** Creates the identity when `create` is set, then signs in with it; prints the identity id. */
const script = (create: boolean) => `
const json = { "content-type": "application/json", accept: "application/json" };
const email = ${JSON.stringify(email)};
const password = ${JSON.stringify(password)};
if (${create}) {
  const res = await fetch("http://127.0.0.1:3101/admin/identities", {
    method: "POST",
    headers: json,
    body: JSON.stringify({
      schema_id: "default",
      traits: { email },
      verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }],
      credentials: { password: { config: { password } } },
    }),
  });
  if (res.status !== 201) throw new Error("create: " + res.status + " " + (await res.text()));
}
const flow = await (await fetch("http://127.0.0.1:3100/self-service/login/api", { headers: json })).json();
const res = await fetch("http://127.0.0.1:3100/self-service/login?flow=" + flow.id, {
  method: "POST",
  headers: json,
  body: JSON.stringify({ method: "password", identifier: email, password }),
});
const body = await res.json();
if (res.status !== 200) throw new Error("login: " + res.status + " " + JSON.stringify(body.ui?.messages ?? body));
console.log(JSON.stringify({ id: body.session.identity.id, email: body.session.identity.traits.email }));
`;

const lastLine = (out: string) => JSON.parse(out.trim().split("\n").pop()!);

test("an identity created before `down` and `up` still signs in", () => {
  const before = lastLine(runIn("identity-ciam", script(true)));
  expect(before.email).toBe(email);

  const down = compose(["down"]);
  expect(down.code, down.output).toBe(0);
  expect(compose(["ps", "-q"]).output.trim()).toBe("");
  deployCompose();

  const after = lastLine(runIn("identity-ciam", script(false)));
  expect(after).toEqual(before);
});
