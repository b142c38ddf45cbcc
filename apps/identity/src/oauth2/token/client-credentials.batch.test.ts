import { randomUUID } from "node:crypto";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauth2Grants } from "../../db/schema.ts";
import { GrantWriter } from "../grants.ts";
import { createClient, introspect, type OAuth2TestCore, startOAuth2Core } from "../test-helpers.ts";

let t: OAuth2TestCore;

beforeAll(async () => {
  t = await startOAuth2Core();
});
afterAll(() => t?.stop());

describe("client_credentials under concurrency (GrantWriter)", () => {
  it("60 concurrent token requests: every token distinct, stored and active, none answered early", async () => {
    const client = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`;
    const answers = await Promise.all(
      Array.from({ length: 60 }, () =>
        fetch(`${t.oauth2PublicUrl}/oauth2/token`, {
          method: "POST",
          headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=client_credentials&scope=read",
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { access_token: string } })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const tokens = new Set(answers.map((a) => a.body.access_token));
    expect(tokens.size).toBe(60);
    // Nothing answered before it was stored: every token introspects as active.
    for (const token of tokens) expect((await introspect(t, token)).active).toBe(true);
  });

  it("rows queued while an INSERT runs leave together in the next one", async () => {
    const client = await createClient(t, { grant_types: ["client_credentials"], scope: "read" });
    const db = t.core.ctx.db;
    const [template] = await db.select().from(oauth2Grants).limit(1);
    const writer = new GrantWriter(db, 1);
    const statements: string[] = [];
    const stop = db.$olympus.writes.onTableWrite((table, op) => {
      if (table === "oauth2_grants" && op === "insert") statements.push(op);
    });
    const ids = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(
      ids.map((id) =>
        writer.insert({
          ...template!,
          id,
          clientId: client.client_id,
          accessHash: `hash-${id}`,
          refreshHash: null,
        }),
      ),
    );
    stop();
    // The first row goes alone at once; the 19 that queued behind it share the second statement.
    expect(statements.length).toBe(2);
    const stored = await db
      .select({ id: oauth2Grants.id })
      .from(oauth2Grants)
      .where(inArray(oauth2Grants.id, ids));
    expect(stored.length).toBe(20);
  });

  it("a failed batch fails every caller in it, and the writer goes on", async () => {
    const db = t.core.ctx.db;
    const [template] = await db.select().from(oauth2Grants).limit(1);
    const writer = new GrantWriter(db, 1);
    const bad = {
      ...template!,
      id: randomUUID(),
      clientId: "no-such-client",
      accessHash: `bad-${randomUUID()}`,
    };
    const first = writer.insert(bad); // alone: fails on the foreign key
    await expect(first).rejects.toThrow();
    const id = randomUUID();
    await writer.insert({ ...template!, id, accessHash: `ok-${id}`, refreshHash: null });
    expect(
      (
        await db
          .select()
          .from(oauth2Grants)
          .where(inArray(oauth2Grants.id, [id]))
      ).length,
    ).toBe(1);
  });
});
