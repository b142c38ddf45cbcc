// A small Dockerfile reader for the static checks (no container engine or hadolint on CI): enough of
// the reference syntax for our files — comments and parser directives, line continuations, global and
// per-stage ARG, variable substitution, JSON and shell forms.

export interface Instruction {
  keyword: string;
  /** The arguments, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  /** The FROM image as written (before substitution). */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, i) => {
    const trimmed = raw.trim();
    // Comments (and parser directives) are whole lines, also between continuation lines.
    if (trimmed.startsWith("#")) return;
    if (!pending && trimmed === "") return;
    const continued = /\\\s*$/.test(raw);
    const part = continued ? raw.replace(/\\\s*$/, "") : raw;
    pending = pending
      ? { ...pending, text: `${pending.text} ${part.trim()}` }
      : { text: part.trim(), line: i + 1 };
    if (!continued) {
      const m = /^(\S+)\s*(.*)$/s.exec(pending.text);
      if (m) instructions.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: pending.line });
      pending = undefined;
    }
  });
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ from: m[1]!, ...(m[2] ? { name: m[2] } : {}), instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== "ARG") throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
      const [name, value] = splitArg(ins.args);
      globalArgs.set(name, value);
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

function splitArg(args: string): [string, string | undefined] {
  const eq = args.indexOf("=");
  return eq < 0 ? [args.trim(), undefined] : [args.slice(0, eq).trim(), unquote(args.slice(eq + 1).trim())];
}

function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

/** `$VAR`, `${VAR}` and `${VAR:-default}` replaced from `vars` (unknown variables become ""). */
export function substitute(value: string, vars: Map<string, string | undefined>): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, def, b) => {
      const v = vars.get(a ?? b);
      return v === undefined || v === "" ? (def ?? "") : v;
    },
  );
}

/** The variables in scope in a stage: global ARG defaults, build args, the stage's own ARG and ENV so far. */
export function stageVars(
  df: Dockerfile,
  stage: Stage,
  buildArgs: Record<string, string>,
  upTo = Number.POSITIVE_INFINITY,
): Map<string, string | undefined> {
  const global = new Map(df.globalArgs);
  for (const [k, v] of Object.entries(buildArgs)) if (global.has(k)) global.set(k, v);
  const vars = new Map<string, string | undefined>();
  for (const ins of stage.instructions) {
    if (ins.line >= upTo) break;
    if (ins.keyword === "ARG") {
      const [name, def] = splitArg(ins.args);
      vars.set(name, buildArgs[name] ?? (global.has(name) ? global.get(name) : def) ?? def);
    } else if (ins.keyword === "ENV") {
      for (const m of ins.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) {
        vars.set(m[1]!, unquote(substitute(m[2]!, vars)));
      }
    }
  }
  return vars;
}

/** The FROM image of a stage with global ARGs (and build args) substituted. */
export function stageImage(df: Dockerfile, stage: Stage, buildArgs: Record<string, string> = {}): string {
  const vars = new Map(df.globalArgs);
  for (const [k, v] of Object.entries(buildArgs)) if (vars.has(k)) vars.set(k, v);
  return substitute(stage.from, vars);
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
  line: number;
}

/** A COPY instruction's flags, sources and destination (shell or JSON form). */
export function parseCopy(ins: Instruction, vars: Map<string, string | undefined>): Copy {
  let rest = ins.args;
  let from: string | undefined;
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
    if (!m) break;
    if (m[1] === "from") from = m[2];
    rest = rest.slice(m[0].length);
  }
  const words = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  const paths = words.map((w) => substitute(w, vars));
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)!, line: ins.line };
}
