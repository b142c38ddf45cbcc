import { describe, expect, it } from "vitest";
import type { AppContext } from "../app/context.ts";
import { sha256hex } from "../security/random.ts";
import { derivedLogoutToken, logoutTokenFor, newLogoutToken, type SessionRow } from "./session.ts";

const ID = "6f1c2a4e-8a0b-4c57-9d1e-2b3f4a5b6c7d";
const ctxWith = (cookie: string[]) => ({ config: { secrets: { cookie } } }) as unknown as AppContext;
const row = (logoutTokenHash: string) => ({ id: ID, logoutTokenHash }) as SessionRow;

describe("logout tokens", () => {
  it("are derived per session and key, in Kratos' shape", () => {
    const a = derivedLogoutToken("key-a-0123456789abcdef", ID);
    expect(a).toMatch(/^ory_lo_[A-Za-z0-9]{32}$/);
    expect(derivedLogoutToken("key-a-0123456789abcdef", ID)).toBe(a);
    expect(derivedLogoutToken("key-b-0123456789abcdef", ID)).not.toBe(a);
    expect(derivedLogoutToken("key-a-0123456789abcdef", "00000000-0000-4000-8000-000000000000")).not.toBe(a);
  });

  it("stay valid when secrets.cookie is rotated (old key kept second)", () => {
    const old = derivedLogoutToken("old-key-0123456789abcd", ID);
    const rotated = ctxWith(["new-key-0123456789abcd", "old-key-0123456789abcd"]);
    expect(logoutTokenFor(rotated, row(sha256hex(old)))).toBe(old);
    // Once the old key is dropped, the session gets a new token (the caller stores it).
    expect(logoutTokenFor(ctxWith(["new-key-0123456789abcd"]), row(sha256hex(old)))).toBeUndefined();
    expect(newLogoutToken(rotated, ID)).toBe(derivedLogoutToken("new-key-0123456789abcd", ID));
  });

  it("are random, and never re-derived, without a configured secret", () => {
    const none = ctxWith([]);
    const a = newLogoutToken(none, ID);
    expect(a).toMatch(/^ory_lo_[A-Za-z0-9]{32}$/);
    expect(newLogoutToken(none, ID)).not.toBe(a);
    expect(logoutTokenFor(none, row(sha256hex(a)))).toBeUndefined();
  });
});
