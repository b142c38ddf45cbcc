import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";

/*
 * Jsonnet programs (OIDC claim mappers, web hook bodies) are run by the reference C++ evaluator
 * (@hanazuki/node-jsonnet), never in the core's own process: each evaluation goes to one of a few
 * child processes, as Kratos runs its mappers in a separate `kratos jsonnet` process. That way
 * - a program that never ends is stopped: past its time limit the child is killed (SIGKILL) and a
 *   fresh one takes its place; the addon's own evaluation runs on libuv's thread pool and cannot be
 *   cancelled, so in-process it would hold a pool thread for ever;
 * - a program that allocates without bound hits the child's data-segment limit, not the core's heap;
 * - the output is bounded in size;
 * - imports are refused: the addon is patched (patches/@hanazuki__node-jsonnet*.patch) so that every
 *   `import`, `importstr` and `importbin` fails with "import not available", as Kratos' evaluator
 *   does. A program can read only the external variables it is given.
 * External variables and top-level arguments are passed as JSON (`extCode`, `tlaCode`), so attacker-controlled claims and traits are
 * data, never code.
 */

/** Why an evaluation failed: a program error (syntax or runtime), a limit, or the evaluator itself. */
export type JsonnetFailure = "error" | "timeout" | "too_large" | "crashed" | "busy";

export class JsonnetError extends Error {
  override name = "JsonnetError";
  constructor(
    readonly kind: JsonnetFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface JsonnetRun {
  /** The name errors point at (the program's URL or key). */
  filename: string;
  /** External variables (`std.extVar`), each serialised as JSON and bound with extCode. */
  ext?: Record<string, unknown>;
  /** Top-level arguments (a program that is a function is called with them), as JSON (tlaCode). */
  tla?: Record<string, unknown>;
  /** Milliseconds from the call until the program must have finished (queueing included). */
  timeoutMs?: number;
  /** The largest output accepted, in bytes of JSON. */
  maxOutputBytes?: number;
}

export const JSONNET_TIMEOUT_MS = 3000;
export const JSONNET_MAX_OUTPUT_BYTES = 512 * 1024;
/** Each child's data segment (heap) limit, in KiB: the Jsonnet heap lives there. */
const CHILD_DATA_LIMIT_KIB = 512 * 1024;
const POOL_SIZE = 2;
const MAX_QUEUED = 64;
const MAX_STACK = 500;

// The child: plain CommonJS run with `node -e`, so it needs no loader and works from the bundle too.
// argv[1] is the addon's resolved path.
const CHILD_SOURCE = `
const { Jsonnet } = require(process.argv[1]);
process.on("disconnect", () => process.exit(0));
process.on("message", async (m) => {
  try {
    const vm = new Jsonnet().setMaxStack(${MAX_STACK}).setMaxTrace(20);
    for (const [k, v] of Object.entries(m.ext)) vm.extCode(k, v);
    for (const [k, v] of Object.entries(m.tla)) vm.tlaCode(k, v);
    const out = await vm.evaluateSnippet(m.snippet, m.filename);
    if (Buffer.byteLength(out, "utf8") > m.max) process.send({ id: m.id, fail: "too_large", message: "the output is larger than " + m.max + " bytes" });
    else process.send({ id: m.id, out });
  } catch (e) {
    process.send({ id: m.id, fail: "error", message: String(e && e.message ? e.message : e) });
  }
});
`;

interface Request {
  id: number;
  snippet: string;
  filename: string;
  ext: Record<string, string>;
  tla: Record<string, string>;
  max: number;
}
type Reply = { id: number; out: string } | { id: number; fail: JsonnetFailure; message: string };

interface Job {
  req: Request;
  resolve: (out: string) => void;
  reject: (e: JsonnetError) => void;
  timer: NodeJS.Timeout;
  worker?: Worker;
}

interface Worker {
  proc: ChildProcess;
  job?: Job;
  dead: boolean;
}

let addonPath: string | undefined;
function addon(): string {
  addonPath ??= createRequire(import.meta.url).resolve("@hanazuki/node-jsonnet");
  return addonPath;
}

const workers: Worker[] = [];
const queue: Job[] = [];
let nextId = 1;

function spawnWorker(): Worker {
  const nodeArgs = ["--max-old-space-size=64", "-e", CHILD_SOURCE, addon()];
  const opts = {
    stdio: ["ignore", "ignore", "pipe", "ipc"] as ("ignore" | "pipe" | "ipc")[],
    cwd: tmpdir(),
    // Empty on purpose (nothing of the parent reaches a program); typed so Next's ProcessEnv (NODE_ENV required) accepts it.
    env: {} as NodeJS.ProcessEnv,
    serialization: "json" as const,
  };
  // On Linux the child starts under a shell that lowers its data-segment limit first.
  const proc =
    process.platform === "linux"
      ? spawn(
          "/bin/sh",
          [
            "-c",
            `ulimit -d ${CHILD_DATA_LIMIT_KIB} 2>/dev/null; exec "$0" "$@"`,
            process.execPath,
            ...nodeArgs,
          ],
          opts,
        )
      : spawn(process.execPath, nodeArgs, opts);
  const w: Worker = { proc, dead: false };
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 2000) stderr += d.toString("utf8");
  });
  proc.on("message", (m: Reply) => {
    const job = w.job;
    if (!job || job.req.id !== m.id) return;
    w.job = undefined;
    clearTimeout(job.timer);
    if ("out" in m) job.resolve(m.out);
    else job.reject(new JsonnetError(m.fail, m.message));
    pump();
  });
  const gone = () => {
    if (w.dead) return;
    w.dead = true;
    const i = workers.indexOf(w);
    if (i >= 0) workers.splice(i, 1);
    const job = w.job;
    w.job = undefined;
    if (job) {
      clearTimeout(job.timer);
      const why = stderr.includes("memory") ? "the program used too much memory" : "the evaluator stopped";
      job.reject(new JsonnetError("crashed", why));
    }
    pump();
  };
  proc.on("exit", gone);
  proc.on("error", gone);
  // Idle children never keep the process alive; a running job's timer does.
  proc.unref();
  proc.channel?.unref();
  workers.push(w);
  return w;
}

function kill(w: Worker): void {
  w.dead = true;
  const i = workers.indexOf(w);
  if (i >= 0) workers.splice(i, 1);
  w.proc.kill("SIGKILL");
}

function pump(): void {
  while (queue.length) {
    let w = workers.find((x) => !x.job && !x.dead);
    if (!w && workers.length < POOL_SIZE) w = spawnWorker();
    if (!w) return;
    const job = queue.shift()!;
    job.worker = w;
    w.job = job;
    w.proc.send(job.req, (err) => {
      if (err && w.job === job) {
        kill(w);
        w.job = undefined;
        clearTimeout(job.timer);
        job.reject(new JsonnetError("crashed", "the evaluator could not be reached"));
        pump();
      }
    });
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The value with every lone UTF-16 surrogate (in keys and strings) replaced by U+FFFD: Jsonnet refuses
 * the `\udXXX` escapes JSON.stringify writes for them, and a claim is not allowed to break a mapper.
 */
function wellFormed(v: unknown): unknown {
  if (typeof v === "string") return v.replace(LONE_SURROGATE, "\ufffd");
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k.replace(LONE_SURROGATE, "\ufffd")] = wellFormed(x);
    return out;
  }
  return v;
}

/** Evaluates a Jsonnet program in a child process; resolves with its JSON output (parsed). */
export function evaluateJsonnet(snippet: string, run: JsonnetRun): Promise<unknown> {
  const ext: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.ext ?? {})) ext[k] = JSON.stringify(wellFormed(v ?? null));
  const tla: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.tla ?? {})) tla[k] = JSON.stringify(wellFormed(v ?? null));
  const timeoutMs = run.timeoutMs ?? JSONNET_TIMEOUT_MS;
  return new Promise<string>((resolve, reject) => {
    if (queue.length >= MAX_QUEUED) {
      reject(new JsonnetError("busy", "too many Jsonnet evaluations are waiting"));
      return;
    }
    const req: Request = {
      id: nextId++,
      snippet,
      filename: run.filename,
      ext,
      tla,
      max: run.maxOutputBytes ?? JSONNET_MAX_OUTPUT_BYTES,
    };
    const job: Job = {
      req,
      resolve,
      reject,
      timer: setTimeout(() => {
        const qi = queue.indexOf(job);
        if (qi >= 0) queue.splice(qi, 1);
        if (job.worker && job.worker.job === job) {
          job.worker.job = undefined;
          kill(job.worker);
        }
        reject(new JsonnetError("timeout", `the program did not finish within ${timeoutMs} ms`));
        pump();
      }, timeoutMs),
    };
    queue.push(job);
    pump();
  }).then((out) => JSON.parse(out) as unknown);
}

const CHECK_PREFIX = "local _olympus_syntax_check = ";

/**
 * Checks a program without running it (nothing it reads, e.g. `std.extVar`, is needed): it is wrapped
 * in an unused, lazily evaluated local, so only syntax and static errors (unknown variables) surface.
 * Resolves with the error message (line and column in the program), or undefined when it is valid.
 */
export async function checkJsonnet(snippet: string, filename: string): Promise<string | undefined> {
  try {
    await evaluateJsonnet(`${CHECK_PREFIX}${snippet}\n;null`, { filename, timeoutMs: 10_000 });
    return undefined;
  } catch (e) {
    if (!(e instanceof JsonnetError)) throw e;
    if (e.kind !== "error") return e.message;
    // Columns on the first line are shifted by the wrapper: put them back. An error found on the
    // wrapper's closing line (an unclosed bracket) is at the end of the program.
    const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const lines = snippet.split("\n").length;
    return e.message
      .replace(new RegExp(`${escaped}:(\\d+):(\\d+)`, "g"), (_, line: string, col: string) => {
        const l = Number(line);
        if (l > lines) return `${filename}:${lines} (at the end of the program)`;
        return `${filename}:${l}:${l === 1 ? Math.max(1, Number(col) - CHECK_PREFIX.length) : col}`;
      })
      .trim();
  }
}

/** Stops the evaluator's children (tests; the core's own exit closes their channels anyway). */
export function stopJsonnet(): void {
  for (const w of [...workers]) kill(w);
}
