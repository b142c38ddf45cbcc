import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCore, type TestCore } from "../../testing/index.ts";

/*
 * GET /admin/olympus/identities/search: any trait, name or address — including identities that have
 * no password and therefore no sign-in identifier — with schema/state filters, a total, and
 * first/prev/next links.
 */

let t: TestCore;
const ids: Record<string, string> = {};

async function create(key: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${t.adminUrl}/admin/identities`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ schema_id: "default", ...body }),
  });
  expect(res.status).toBe(201);
  ids[key] = ((await res.json()) as { id: string }).id;
}

async function search(query: string) {
  const res = await fetch(`${t.adminUrl}/admin/olympus/identities/search?${query}`);
  const body = (await res.json()) as any;
  return {
    status: res.status,
    body,
    ids: Array.isArray(body) ? (body as { id: string }[]).map((i) => i.id) : [],
    total: res.headers.get("x-total-count"),
    link: res.headers.get("link") ?? "",
  };
}

beforeAll(async () => {
  t = await startTestCore();
  // No password: Kratos' credentials_identifier filter cannot find this one.
  await create("ada", { traits: { email: "ada@search.test", name: { first: "Ada", last: "Lovelace" } } });
  await create("grace", {
    traits: { email: "grace@search.test", name: { first: "Grace", last: "Hopper" } },
    credentials: { password: { config: { password: "a long enough password 1" } } },
    state: "inactive",
  });
  await create("alan", {
    traits: { email: "alan@elsewhere.test", name: { first: "Alan" } },
    external_id: "crm-77",
  });
}, 60_000);
afterAll(() => t?.stop());

describe("identity search", () => {
  it("finds an identity without a password by its email, and Kratos' identifier filter does not", async () => {
    const r = await search("q=ada%40search.test");
    expect(r.status).toBe(200);
    expect(r.ids).toEqual([ids.ada]);
    const kratos = await fetch(`${t.adminUrl}/admin/identities?credentials_identifier=ada%40search.test`);
    expect(await kratos.json()).toEqual([]);
  });

  it("matches every word against names, addresses and external ids, case-insensitively", async () => {
    expect((await search("q=lovelace")).ids).toEqual([ids.ada]);
    expect((await search("q=ADA+love")).ids).toEqual([ids.ada]);
    expect((await search("q=ada+hopper")).ids).toEqual([]);
    expect((await search("q=search.test")).ids.sort()).toEqual([ids.ada, ids.grace].sort());
    expect((await search("q=crm-77")).ids).toEqual([ids.alan]);
    expect((await search(`q=${ids.grace}`)).ids).toEqual([ids.grace]);
  });

  it("matches trait values only, never the schema's key names", async () => {
    // Every identity has traits.email and traits.name.first: the words name no value of theirs.
    for (const word of ["email", "name", "first", "last", "traits"]) {
      const r = await search(`q=${word}`);
      expect(r.status, word).toBe(200);
      expect(r.ids, word).toEqual([]);
      expect(r.total, word).toBe("0");
    }
    // A value nested in an object is still found, and a quote is not part of a string value.
    expect((await search("q=hopper")).ids).toEqual([ids.grace]);
    expect((await search("q=%22grace")).ids).toEqual([]);
  });

  it("treats LIKE wildcards literally", async () => {
    expect((await search("q=%25")).ids).toEqual([]);
    expect((await search("q=_")).ids).toEqual([]);
  });

  it("filters by state and schema", async () => {
    expect((await search("state=inactive")).ids).toEqual([ids.grace]);
    expect((await search("q=search.test&state=active")).ids).toEqual([ids.ada]);
    expect((await search("schema_id=other")).ids).toEqual([]);
  });

  it("pages with a total and first/prev/next links that keep the query", async () => {
    const first = await search("q=test&page_size=2");
    expect(first.total).toBe("3");
    expect(first.ids).toHaveLength(2);
    expect(first.link).toContain('rel="next"');
    expect(first.link).not.toContain('rel="prev"');
    const next = /<([^>]+)>; rel="next"/.exec(first.link)![1]!;
    expect(next).toContain("q=test");
    const second = await fetch(`${t.adminUrl}${next}`);
    const page2 = ((await second.json()) as { id: string }[]).map((i) => i.id);
    expect(page2).toHaveLength(1);
    expect(new Set([...first.ids, ...page2]).size).toBe(3);
    const link2 = second.headers.get("link") ?? "";
    expect(link2).toContain('rel="prev"');
    expect(link2).not.toContain('rel="next"');
  });

  it("refuses bad input with a 400 in the Ory shape", async () => {
    for (const q of [
      "state=gone",
      `q=${"x".repeat(300)}`,
      "q=a+b+c+d+e+f+g+h+i",
      "page_token=%%%",
      "page_size=0",
    ]) {
      const r = await search(q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe(400);
    }
  });
});
