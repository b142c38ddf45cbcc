import { afterAll, describe, expect, it } from "vitest";
import { checkJsonnet, evaluateJsonnet, JsonnetError, stopJsonnet } from "./evaluate.ts";

/*
 * The Jsonnet evaluator itself (the reference C++ jsonnet in child processes): external variables are
 * data, a program that never ends is stopped by the time limit and the evaluator keeps working, files
 * cannot be imported, the output and the memory are bounded, and a broken program is reported with
 * its line before it ever runs.
 */

afterAll(() => stopJsonnet());

async function failure(p: Promise<unknown>): Promise<JsonnetError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(JsonnetError);
  return e as JsonnetError;
}

describe("Jsonnet evaluator", () => {
  it("passes external variables as JSON data, never as code", async () => {
    const hostile = {
      email: "a@example.com",
      name: '"} + {evil: std.extVar("x")} + {"',
      odd: "\ud800 lone surrogate",
      "weird key \udc00": [1, null, true],
    };
    const out = await evaluateJsonnet(
      `local c = std.extVar('claims'); {email: c.email, name: c.name, odd: c.odd, n: std.length(std.objectFields(c))}`,
      { filename: "m.jsonnet", ext: { claims: hostile } },
    );
    expect(out).toEqual({
      email: "a@example.com",
      name: '"} + {evil: std.extVar("x")} + {"',
      odd: "\ufffd lone surrogate",
      n: 4,
    });
  });

  it("stops a program that never ends at its time limit, and keeps evaluating others", async () => {
    const started = Date.now();
    const e = await failure(
      evaluateJsonnet("local f(x) = f(x + 1) tailstrict; f(0)", {
        filename: "loop.jsonnet",
        timeoutMs: 1500,
      }),
    );
    const took = Date.now() - started;
    expect(e.kind).toBe("timeout");
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(5000);
    // Several at once: each stopped, none holding the others for ever.
    const many = await Promise.all(
      [1, 2, 3].map((i) =>
        failure(
          evaluateJsonnet(`local f(x) = f(x + ${i}) tailstrict; f(0)`, {
            filename: "loop.jsonnet",
            timeoutMs: 1500,
          }),
        ),
      ),
    );
    expect(many.map((x) => x.kind)).toEqual(["timeout", "timeout", "timeout"]);
    expect(await evaluateJsonnet("{ok: 1 + 1}", { filename: "after.jsonnet" })).toEqual({ ok: 2 });
  });

  it("refuses every import: a program cannot read the server's files", async () => {
    for (const program of [
      `import '/etc/passwd'`,
      `{a: importstr '/etc/passwd'}`,
      `importbin '/etc/hostname'`,
      `importstr 'package.json'`,
      `import '../../../../../../etc/passwd'`,
    ]) {
      const e = await failure(evaluateJsonnet(program, { filename: "imports.jsonnet" }));
      expect(e.kind).toBe("error");
      expect(e.message).toContain("import not available");
      expect(e.message).not.toContain("root:");
    }
  });

  it("refuses an output larger than the limit, and a program that exhausts its memory", async () => {
    const big = await failure(
      evaluateJsonnet(`std.makeArray(100000, function(i) "0123456789")`, {
        filename: "big.jsonnet",
        maxOutputBytes: 64 * 1024,
      }),
    );
    expect(big.kind).toBe("too_large");
    const hungry = await failure(
      evaluateJsonnet("std.length(std.makeArray(100000000, function(i) [i]))", {
        filename: "hungry.jsonnet",
        timeoutMs: 20_000,
      }),
    );
    expect(["crashed", "timeout"]).toContain(hungry.kind);
    expect(await evaluateJsonnet("[1]", { filename: "after.jsonnet" })).toEqual([1]);
  });

  it("reports a program that does not parse with its line, without running a valid one", async () => {
    expect(await checkJsonnet("{\n  a: 1,\n  b: ,\n}", "broken.jsonnet")).toMatch(/broken\.jsonnet:3:6/);
    expect(await checkJsonnet("{ a: }", "first-line.jsonnet")).toMatch(/first-line\.jsonnet:1:6/);
    expect(await checkJsonnet("local c = std.extVar('claims');\n{x: d}", "unknown.jsonnet")).toMatch(
      /unknown\.jsonnet:2:5.*Unknown variable: d/,
    );
    // Valid programs are not evaluated: an extVar that is not there, an error() or a loop pass.
    expect(
      await checkJsonnet("local c = std.extVar('claims');\n{email: c.email}", "ok.jsonnet"),
    ).toBeUndefined();
    expect(await checkJsonnet("error 'only at run time'", "err.jsonnet")).toBeUndefined();
    expect(await checkJsonnet("local f(x) = f(x) tailstrict; f(0)", "loop.jsonnet")).toBeUndefined();
    // A runtime error carries its message and place.
    const e = await failure(evaluateJsonnet("{\n  a: error 'no email claim',\n}", { filename: "m.jsonnet" }));
    expect(e.message).toMatch(/no email claim/);
    expect(e.message).toMatch(/m\.jsonnet:2/);
  });
});
