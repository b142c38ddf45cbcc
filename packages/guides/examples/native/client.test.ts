import { ResponseError } from "@ory/client-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPerson, type GuideCore, PASSWORD, startGuideCore } from "../../src/core";
import { checkToken, olympus, signIn, signOut, signUp, whoami } from "./client";

let t: GuideCore;

beforeAll(async () => {
  t = await startGuideCore();
});
afterAll(() => t?.stop());

async function status(p: Promise<unknown>): Promise<number> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResponseError);
  return (err as ResponseError).response.status;
}

describe("guide: native and mobile apps with the API flows", () => {
  it("signs up, is signed in at once, and whoami knows the person by the session token", async () => {
    const api = olympus(t.publicUrl);
    const { sessionToken, identity } = await signUp(api, "native-new@example.com", PASSWORD);
    expect(sessionToken).toMatch(/^ory_st_/);
    const session = await whoami(api, sessionToken!);
    expect(session.identity?.id).toBe(identity.id);
    expect((session.identity?.traits as { email?: string } | undefined)?.email).toBe(
      "native-new@example.com",
    );
  });

  it("signs in, your API checks the token, signing out revokes it", async () => {
    const id = await createPerson(t, "native@example.com");
    const api = olympus(t.publicUrl);
    const { sessionToken, session } = await signIn(api, "native@example.com", PASSWORD);
    expect(session.identity?.id).toBe(id);
    expect((await checkToken(t.publicUrl, sessionToken))?.identity?.id).toBe(id);

    await signOut(api, sessionToken);
    expect(await checkToken(t.publicUrl, sessionToken)).toBeNull();
    expect(await status(whoami(api, sessionToken))).toBe(401);
  });

  it("a wrong password is a 400 with the flow's message; forged tokens are nobody", async () => {
    await createPerson(t, "native-wrong@example.com");
    const api = olympus(t.publicUrl);
    expect(await status(signIn(api, "native-wrong@example.com", "not the password"))).toBe(400);
    for (const token of ["ory_st_forged", "", "' OR 1=1 --", "x".repeat(4000)])
      expect(await checkToken(t.publicUrl, token)).toBeNull();
  });
});
