import { describe, expect, it } from "vitest";
import { playgroundStore } from "./store";

describe("playground memory", () => {
  it("finds a session only for its own domain and until it expires", () => {
    const now = Date.now();
    playgroundStore.create("sid-a", "ciam", 1000, now);
    expect(playgroundStore.get("sid-a", "ciam", now + 10)?.id).toBe("sid-a");
    expect(playgroundStore.get("sid-a", "iam", now + 10)).toBeUndefined();
    expect(playgroundStore.get("sid-a", "ciam", now + 1000)).toBeUndefined();
    expect(playgroundStore.get(undefined, "ciam")).toBeUndefined();
  });

  it("a logout state is honoured once", () => {
    playgroundStore.rememberLogout("logout-state-1", "iam");
    expect(playgroundStore.takeLogout("logout-state-1")).toBe("iam");
    expect(playgroundStore.takeLogout("logout-state-1")).toBeUndefined();
    expect(playgroundStore.takeLogout("never-issued")).toBeUndefined();
  });

  it("keeps at most 2000 sessions, dropping the oldest", () => {
    const now = Date.now();
    for (let i = 0; i < 2005; i++) playgroundStore.create(`bulk-${i}`, "ciam", 60_000, now);
    expect(playgroundStore.get("bulk-0", "ciam", now)).toBeUndefined();
    expect(playgroundStore.get("bulk-2004", "ciam", now)?.id).toBe("bulk-2004");
  });
});
