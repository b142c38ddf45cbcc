import { fileURLToPath } from "node:url";
import { writeOrCheckPage } from "@olympus/sdk/reference-page";
import type { Command } from "commander";
import { createProgram } from "./cli.ts";

/*
 * The octl reference page (docs/reference/octl.md), generated from the command definitions in
 * cli.ts — the same ones `octl --help` prints. `pnpm --filter @olympus/octl reference` writes it;
 * reference.test.ts fails when the committed page differs, so the page cannot drift.
 */

const PACKAGE = "@olympus/octl";

export const pagePath = fileURLToPath(new URL("../../../docs/reference/octl.md", import.meta.url));

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function usage(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return `${names.join(" ")} ${cmd.usage()}`.trim();
}

function section(cmd: Command, depth: number, out: string[]): void {
  const help = cmd.createHelp();
  const path: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c.name());
  out.push(`${"#".repeat(depth)} \`octl ${path.join(" ")}\``, "");
  out.push(cmd.description(), "");
  const subcommands = help.visibleCommands(cmd).filter((c) => c.name() !== "help");
  const args = help.visibleArguments(cmd);
  const options = help.visibleOptions(cmd).filter((o) => o.long !== "--help");
  if (subcommands.length === 0 || args.length || options.length) out.push("```sh", usage(cmd), "```", "");
  if (args.length) {
    out.push("| argument | |", "| --- | --- |");
    for (const a of args) out.push(`| \`${help.argumentTerm(a)}\` | ${cell(help.argumentDescription(a))} |`);
    out.push("");
  }
  if (options.length) {
    out.push("| option | |", "| --- | --- |");
    for (const o of options) out.push(`| \`${help.optionTerm(o)}\` | ${cell(help.optionDescription(o))} |`);
    out.push("");
  }
  for (const sub of subcommands) section(sub, Math.min(depth + 1, 4), out);
}

/** The page's markdown, from the command definitions as they are now. */
export function generate(): string {
  const program = createProgram(() => {});
  const help = program.createHelp();
  const out: string[] = [
    "# octl reference",
    "",
    "<!-- Generated from packages/octl/src/cli.ts by `pnpm --filter @olympus/octl reference`; do not edit. -->",
    "",
    "`octl` runs the Olympus platform on one machine and administers a running one. From the repository,",
    "run it as `pnpm octl <command>`. This page is generated from its command definitions (the same text",
    "`octl <command> --help` prints); a test fails when it differs from them. The guide to what the",
    "commands are for is [administration](../administration.md) and [deploying](../deploying.md).",
    "",
    "```sh",
    usage(program),
    "```",
    "",
    "| option | |",
    "| --- | --- |",
    ...help
      .visibleOptions(program)
      .filter((o) => o.long !== "--help")
      .map((o) => `| \`${help.optionTerm(o)}\` | ${cell(help.optionDescription(o))} |`),
    "",
    "Exit codes: 0 success, 1 failure, 2 usage error (unknown command, bad flag, missing argument).",
    "",
  ];
  for (const cmd of help.visibleCommands(program)) if (cmd.name() !== "help") section(cmd, 2, out);
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeOrCheckPage(pagePath, generate(), PACKAGE);
}
