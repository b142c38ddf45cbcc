import { fileURLToPath } from "node:url";
import { writeOrCheckPage } from "./reference-page.ts";
import ts from "typescript";

/*
 * The SDK reference page (docs/reference/sdk.md), generated from what src/index.ts exports and the
 * doc comments on it. `pnpm --filter @olympus/sdk reference` writes it; reference.test.ts fails when
 * the committed page differs from what the sources say, so the page cannot drift.
 */

const PACKAGE = "@olympus/sdk";

export const pagePath = fileURLToPath(new URL("../../../docs/reference/sdk.md", import.meta.url));
const entry = fileURLToPath(new URL("./index.ts", import.meta.url));

const SECTIONS: Record<string, { title: string; about: string }> = {
  "clients.ts": {
    title: "Clients for a domain",
    about: "Ory's `@ory/client-fetch` API classes, configured for the four ports of one identity core.",
  },
  "domains.ts": { title: "Endpoints", about: "Where a domain's identity core listens." },
  "olympus.ts": {
    title: "Olympus admin API",
    about: "Calls for the endpoints Olympus has beyond the Ory APIs (admin ports only), and their types.",
  },
  "transfer.ts": {
    title: "Import and export",
    about:
      "Identities to and from JSON (Kratos' import shape) and CSV, in batches; what `octl identities` uses.",
  },
};

function docOf(node: ts.Node, source: ts.SourceFile): string {
  // The comment as written: TypeScript's own reading takes "@ory/client-fetch" in prose for a tag.
  const jsdoc = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).pop();
  if (!jsdoc) return "";
  return source.text
    .slice(jsdoc.getStart(source), jsdoc.getEnd())
    .replace(/^\/\*\*\s?/, "")
    .replace(/\s*\*\/$/, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

/** A declaration's text without its body (functions, methods) — what a caller needs to see. */
function signature(node: ts.Node, source: ts.SourceFile): string {
  const start = node.getStart(source);
  let end = node.getEnd();
  const body = (node as { body?: ts.Node }).body;
  if (body) end = body.getStart(source);
  // Continuation lines lose the declaration's own indentation.
  const indent = start - source.text.lastIndexOf("\n", start) - 1;
  const text = source.text
    .slice(start, end)
    .trimEnd()
    .split("\n")
    .map((l, i) => (i === 0 ? l : l.slice(Math.min(indent, l.length - l.trimStart().length))))
    .join("\n");
  return body ? `${text.replace(/\s*\{?$/, "")};`.replace(/;;$/, ";") : text;
}

/** The text of a declaration without the doc comments inside it (they are printed as prose). */
function stripDocs(text: string): string {
  return text
    .replace(/^\s*\/\*\*[\s\S]*?\*\/\n/gm, "")
    .replace(/\s*\/\*\*[^\n]*?\*\//g, "")
    .replace(/\n{2,}/g, "\n");
}

function classSection(node: ts.ClassDeclaration, source: ts.SourceFile): string[] {
  const out: string[] = [];
  const name = node.name!.text;
  const heritage = node.heritageClauses?.map((h) => h.getText(source)).join(" ");
  out.push("```ts", `class ${name}${heritage ? ` ${heritage}` : ""}`, "```", "");
  for (const member of node.members) {
    const mods = ts.getCombinedModifierFlags(member as ts.Declaration);
    if (mods & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
    if (member.name && ts.isPrivateIdentifier(member.name)) continue;
    if (ts.isConstructorDeclaration(member)) {
      const params = member.parameters.map((p) =>
        p.getText(source).replace(/^((private|readonly|public) )+/, ""),
      );
      out.push("```ts", `new ${name}(${params.join(", ")})`, "```", "");
      const doc = docOf(member, source);
      if (doc) out.push(doc, "");
      continue;
    }
    if (ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member)) {
      if (ts.isPropertyDeclaration(member) && member.name.getText(source) === "name") continue;
      const sig = signature(member, source).replace(/^((override|public) )+/, "");
      out.push(`#### \`${name}.${member.name.getText(source)}\``, "");
      out.push("```ts", sig, "```", "");
      const doc = docOf(member, source);
      if (doc) out.push(doc, "");
    }
  }
  return out;
}

/** The page's markdown, from the sources as they are now. */
export function generate(): string {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(entry)!;
  const moduleSymbol = checker.getSymbolAtLocation(index)!;
  const bySection = new Map<string, string[][]>();
  const reexported: string[] = [];
  for (const stmt of index.statements) {
    if (ts.isExportDeclaration(stmt) && !stmt.exportClause && stmt.moduleSpecifier)
      reexported.push((stmt.moduleSpecifier as ts.StringLiteral).text);
  }
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = target.declarations?.[0];
    if (!decl) continue;
    const source = decl.getSourceFile();
    const file = source.fileName.split("/").pop()!;
    if (!source.fileName.startsWith(fileURLToPath(new URL(".", import.meta.url)))) continue;
    const name = exported.getName();
    const block: string[] = [`### \`${name}\``, ""];
    const doc = docOf(decl, source);
    if (ts.isClassDeclaration(decl)) {
      if (doc) block.push(doc, "");
      block.push(...classSection(decl, source));
    } else {
      let code: string;
      if (ts.isFunctionDeclaration(decl)) code = signature(decl, source);
      else if (ts.isVariableDeclaration(decl))
        code = `const ${name}: ${checker.typeToString(checker.getTypeAtLocation(decl), decl, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.MultilineObjectLiterals)}`;
      else code = stripDocs(decl.getText(source));
      block.push("```ts", code, "```", "");
      if (doc) block.push(doc, "");
      if (ts.isInterfaceDeclaration(decl)) {
        const fields = decl.members
          .map((m) => [m.name?.getText(source), docOf(m, source)] as const)
          .filter(([, d]) => d);
        if (fields.length) {
          block.push("| field | |", "| --- | --- |");
          for (const [f, d] of fields)
            block.push(`| \`${f}\` | ${d!.replace(/\n/g, " ").replace(/\|/g, "\\|")} |`);
          block.push("");
        }
      }
    }
    const list = bySection.get(file) ?? [];
    list.push(block);
    bySection.set(file, list);
  }
  const out: string[] = [
    "# SDK reference",
    "",
    "<!-- Generated from packages/sdk/src by `pnpm --filter @olympus/sdk reference`; do not edit. -->",
    "",
    "`@olympus/sdk` is Ory's `@ory/client-fetch` configured for an Olympus domain, plus typed calls for",
    "the endpoints Olympus has beyond the Ory APIs. This page is generated from the package's exports and",
    "their doc comments; a test fails when it differs from the sources.",
    "",
    "```ts",
    'import { createDomainClients, localEndpoints } from "@olympus/sdk";',
    "",
    "const ciam = createDomainClients(localEndpoints.ciam);",
    "const session = await ciam.frontend.toSession({ cookie });",
    "```",
    "",
  ];
  if (reexported.length)
    out.push(
      `Everything \`${reexported.join("`, `")}\` exports is exported too (its API classes, models and`,
      "errors): see Ory's SDK documentation for those.",
      "",
    );
  for (const [file, { title, about }] of Object.entries(SECTIONS)) {
    const blocks = bySection.get(file);
    if (!blocks) continue;
    out.push(`## ${title}`, "", about, "");
    for (const b of blocks) out.push(...b);
    bySection.delete(file);
  }
  for (const [file, blocks] of bySection) {
    out.push(`## ${file}`, "");
    for (const b of blocks) out.push(...b);
  }
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeOrCheckPage(pagePath, generate(), PACKAGE);
}
