import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Layout } from "../paths.ts";
import { sleep } from "../procs.ts";

/** The last `lines` lines of a file (reads at most its last 1 MiB). */
export function lastLines(file: string, lines: number): string[] {
  if (!existsSync(file) || lines <= 0) return [];
  const size = statSync(file).size;
  const len = Math.min(size, 1 << 20);
  const buf = Buffer.alloc(len);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, len, size - len);
  } finally {
    closeSync(fd);
  }
  const all = buf.toString("utf8").split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all.slice(-lines);
}

function available(l: Layout): string[] {
  if (!existsSync(l.logs)) return [];
  return readdirSync(l.logs)
    .filter((f) => f.endsWith(".log"))
    .map((f) => basename(f, ".log"))
    .sort();
}

export async function logsCommand(
  l: Layout,
  service: string | undefined,
  opts: { follow?: boolean; lines?: string },
): Promise<number> {
  const lines = opts.lines === undefined ? 100 : Number(opts.lines);
  if (!Number.isInteger(lines) || lines < 0) {
    console.error("octl logs: --lines must be a whole number");
    return 1;
  }
  const known = available(l);
  let names: string[];
  if (service) {
    if (!known.includes(service)) {
      console.error(
        `octl logs: no log for "${service}"` +
          (known.length ? ` (logs: ${known.join(", ")})` : " (nothing has been deployed yet)"),
      );
      return 1;
    }
    names = [service];
  } else {
    names = known.filter((n) => n !== "supervisor");
    if (names.length === 0) {
      console.log("No logs yet: nothing has been deployed.");
      return 0;
    }
  }
  const width = Math.max(...names.map((n) => n.length));
  const prefix = (name: string) => (names.length > 1 ? `${name.padEnd(width)} | ` : "");
  for (const name of names) {
    for (const line of lastLines(join(l.logs, `${name}.log`), lines))
      process.stdout.write(`${prefix(name)}${line}\n`);
  }
  if (!opts.follow) return 0;
  return follow(l, names, prefix);
}

/** Prints what is appended to the logs until interrupted (a truncated log is read from its start). */
async function follow(l: Layout, names: string[], prefix: (n: string) => string): Promise<number> {
  const files = names.map((name) => {
    const path = join(l.logs, `${name}.log`);
    return { name, path, pos: existsSync(path) ? statSync(path).size : 0, partial: "" };
  });
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  while (!stop) {
    for (const f of files) {
      if (!existsSync(f.path)) {
        f.pos = 0;
        continue;
      }
      const size = statSync(f.path).size;
      if (size < f.pos) f.pos = 0;
      if (size === f.pos) continue;
      const len = size - f.pos;
      const buf = Buffer.alloc(len);
      const fd = openSync(f.path, "r");
      try {
        readSync(fd, buf, 0, len, f.pos);
      } finally {
        closeSync(fd);
      }
      f.pos = size;
      const parts = (f.partial + buf.toString("utf8")).split("\n");
      f.partial = parts.pop() ?? "";
      for (const line of parts) process.stdout.write(`${prefix(f.name)}${line}\n`);
    }
    await sleep(200);
  }
  return 0;
}
