import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureLayout, layoutAt } from "./paths.ts";
import { notPrivate } from "./testkit.ts";

/**
 * Red-team finding 5: octl's state directory (PGlite databases, MailDev's mail, logs) was readable by
 * every local account. ensureLayout makes it private and sets the umask its services inherit.
 */

const root = mkdtempSync(join(tmpdir(), "octl-modes-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(process.platform === "win32")("octl's state directory is private", () => {
  it("creates home, logs and data 0700 under a permissive umask", () => {
    process.umask(0o000);
    const l = layoutAt(root, join(root, "fresh", ".olympus"));
    ensureLayout(l);
    expect(notPrivate(l.home)).toEqual([]);
    // Everything created afterwards (by octl or the services it starts) is private too.
    mkdirSync(join(l.data, "identity-ciam", "pg_wal"), { recursive: true });
    writeFileSync(join(l.data, "identity-ciam", "pg_wal", "000000010000000000000001"), "argon2id$…");
    writeFileSync(join(l.logs, "mailcatcher.log"), "log line\n");
    expect(notPrivate(l.home)).toEqual([]);
  });

  it("takes over a state directory an older octl left world-readable", () => {
    process.umask(0o000);
    const l = layoutAt(root, join(root, "old", ".olympus"));
    const wal = join(l.data, "identity-ciam", "pg_wal");
    mkdirSync(wal, { recursive: true, mode: 0o777 });
    mkdirSync(join(l.data, "mailcatcher"), { recursive: true, mode: 0o755 });
    mkdirSync(l.logs, { recursive: true, mode: 0o755 });
    for (const [file, mode] of [
      [join(wal, "000000010000000000000001"), 0o666],
      [join(l.data, "mailcatcher", "abc.eml"), 0o644],
      [join(l.logs, "identity-ciam.log"), 0o644],
      [join(l.home, "secrets.json"), 0o644],
      [join(l.home, "state.json"), 0o644],
    ] as const) {
      writeFileSync(file, "x", { mode });
      chmodSync(file, mode);
    }
    for (const dir of [l.home, l.data, join(l.data, "identity-ciam"), wal]) chmodSync(dir, 0o777);
    ensureLayout(l);
    expect(notPrivate(l.home)).toEqual([]);
  });
});
