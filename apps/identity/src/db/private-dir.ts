import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/*
 * The embedded database (PGlite) keeps password hashes, sessions and sealed secrets in plain files.
 * Only the account the core runs as may read them: folders 0700, files 0600. New files get that
 * from the process umask; files left by an older version (or another tool) are fixed on start.
 * octl uses the same two functions for its state folder (`@olympus/identity/private-dir`).
 */

const windows = process.platform === "win32";

/** Sets the process umask to 0077 so every file the process creates is private; false when it cannot. */
export function restrictUmask(): boolean {
  if (windows) return false;
  try {
    process.umask(0o077);
    return true;
  } catch {
    // Worker threads cannot change the umask; the chmod pass below still fixes what exists.
    return false;
  }
}

/**
 * chmods a tree to folders 0700 and files 0600, `depth` levels deep (symbolic links are left alone,
 * never followed); a missing root is nothing to do.
 */
export function privateTree(root: string, depth = Number.POSITIVE_INFINITY): void {
  if (windows || !existsSync(root)) return;
  const walk = (path: string, level: number) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      if (level < depth) for (const entry of readdirSync(path)) walk(join(path, entry), level + 1);
    } else if ((st.mode & 0o777) !== 0o600) {
      chmodSync(path, 0o600);
    }
  };
  walk(root, 0);
}

/** Creates (or takes over) a data folder that only this account can enter. */
export function privateDir(dir: string): void {
  restrictUmask();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  privateTree(dir);
}
