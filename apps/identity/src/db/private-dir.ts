import { chmodSync, lstatSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/*
 * The embedded database (PGlite) keeps password hashes, sessions and sealed secrets in plain files.
 * Only the account the core runs as may read them: folders 0700, files 0600. New files get that
 * from the process umask; files left by an older version (or another tool) are fixed on start.
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

/** chmods a tree to folders 0700 and files 0600 (symbolic links are left alone, never followed). */
export function privateTree(root: string): void {
  if (windows) return;
  const walk = (path: string) => {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if ((st.mode & 0o777) !== 0o600) {
      chmodSync(path, 0o600);
    }
  };
  walk(root);
}

/** Creates (or takes over) a data folder that only this account can enter. */
export function privateDir(dir: string): void {
  restrictUmask();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  privateTree(dir);
}
