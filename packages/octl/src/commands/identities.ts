// octl identities: list, get, create, delete, import and export through a domain's Kratos admin API.
import { readFileSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import {
  defaultImportSchema,
  exportIdentities,
  type Identity,
  identitiesFromCsv,
  identitiesFromJson,
  identitiesToCsv,
  importIdentities,
  nextPageToken,
} from "@olympus/sdk";
import { adminRun, cell, printJson, printTable } from "../admin/output.ts";
import { type AdminOptions, adminClients, UsageError } from "../admin/target.ts";
import type { Layout } from "../paths.ts";

const identifierOf = (i: Identity): string => {
  const t = (i.traits ?? {}) as Record<string, unknown>;
  const v = t.email ?? t.username ?? t.phone;
  return typeof v === "string" ? v : "-";
};

const rowOf = (i: Identity) => [
  i.id,
  identifierOf(i),
  i.schema_id,
  cell(i.state),
  i.verifiable_addresses?.some((a) => a.verified) ? "yes" : "no",
  cell(i.created_at),
];
const HEADER = ["ID", "IDENTIFIER", "SCHEMA", "STATE", "VERIFIED", "CREATED"];

function connect(l: Layout, opts: AdminOptions) {
  const t = adminClients(l, opts, "identity");
  return { ...t, where: () => `the ${t.domain.toUpperCase()} identity admin API at ${t.url}` };
}

function pageSize(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError("--page-size must be 1 to 1000");
  return n;
}

export async function listCommand(
  l: Layout,
  opts: AdminOptions & { pageSize?: string; pageToken?: string },
): Promise<number> {
  let where = () => "the identity admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      const res = await t.clients.identity.listIdentitiesRaw({
        pageSize: pageSize(opts.pageSize, 250),
        ...(opts.pageToken ? { pageToken: opts.pageToken } : {}),
      });
      const items = await res.value();
      const next = nextPageToken(res.raw.headers.get("link"));
      if (opts.json) printJson(items);
      else printTable(HEADER, items.map(rowOf));
      if (next) process.stderr.write(`more: octl identities list --page-token ${next}\n`);
      return 0;
    },
    () => where(),
  );
}

export async function getCommand(
  l: Layout,
  ids: string[],
  opts: AdminOptions & { includeCredentials?: boolean },
): Promise<number> {
  let where = () => "the identity admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      const items: Identity[] = [];
      for (const id of ids) {
        items.push(
          await t.clients.identity.getIdentity({
            id,
            ...(opts.includeCredentials ? { includeCredential: ["password"] } : {}),
          }),
        );
      }
      if (opts.json) printJson(ids.length === 1 ? items[0] : items);
      else printTable(HEADER, items.map(rowOf));
      return 0;
    },
    () => where(),
  );
}

export async function createCommand(
  l: Layout,
  opts: AdminOptions & {
    schema?: string;
    traits?: string;
    email?: string;
    verified?: boolean;
    state?: string;
  },
): Promise<number> {
  let where = () => "the identity admin API";
  return adminRun(
    async () => {
      let traits: Record<string, unknown> = {};
      if (opts.traits !== undefined) {
        try {
          traits = JSON.parse(opts.traits);
        } catch {
          throw new UsageError("--traits must be a JSON object");
        }
        if (typeof traits !== "object" || traits === null || Array.isArray(traits)) {
          throw new UsageError("--traits must be a JSON object");
        }
      }
      if (opts.email !== undefined) traits.email = opts.email;
      if (!Object.keys(traits).length) throw new UsageError("give the traits: --traits '{...}' or --email");
      if (opts.verified && typeof traits.email !== "string")
        throw new UsageError("--verified needs an email");
      if (opts.state !== undefined && opts.state !== "active" && opts.state !== "inactive") {
        throw new UsageError("--state must be active or inactive");
      }
      const t = connect(l, opts);
      where = t.where;
      const identity = await t.clients.identity.createIdentity({
        createIdentityBody: {
          schema_id: opts.schema ?? "default",
          traits,
          ...(opts.state ? { state: opts.state as "active" | "inactive" } : {}),
          ...(opts.verified
            ? {
                verifiable_addresses: [
                  {
                    value: traits.email as string,
                    via: "email",
                    verified: true,
                    status: "completed",
                  },
                ],
              }
            : {}),
        },
      });
      if (opts.json) printJson(identity);
      else printTable(HEADER, [rowOf(identity)]);
      return 0;
    },
    () => where(),
  );
}

export async function deleteCommand(l: Layout, ids: string[], opts: AdminOptions): Promise<number> {
  let where = () => "the identity admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      for (const id of ids) {
        await t.clients.identity.deleteIdentity({ id });
        if (!opts.json) process.stdout.write(`${id}\n`);
      }
      if (opts.json) printJson(ids);
      return 0;
    },
    () => where(),
  );
}

type FileFormat = "json" | "csv";

function formatOf(flag: string | undefined, file: string | undefined): FileFormat {
  const f = (flag ?? (file && extname(file).toLowerCase() === ".csv" ? "csv" : "json")).toLowerCase();
  if (f !== "json" && f !== "csv") throw new UsageError(`--format must be json or csv, not "${flag}"`);
  return f;
}

export async function importCommand(
  l: Layout,
  files: string[],
  opts: AdminOptions & { format?: string; schema?: string; batchSize?: string },
): Promise<number> {
  let where = () => "the identity admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      const batchSize = opts.batchSize === undefined ? undefined : Number(opts.batchSize);
      if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 200)) {
        throw new UsageError("--batch-size must be 1 to 200");
      }
      const report: {
        file: string;
        row: number;
        status: string;
        id?: string;
        identifier?: string;
        reason?: string;
      }[] = [];
      for (const file of files) {
        let text: string;
        try {
          text = readFileSync(file === "-" ? 0 : file, "utf8");
        } catch (e) {
          throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
        }
        const format = formatOf(opts.format, file);
        let rows: Awaited<ReturnType<typeof identitiesFromCsv>>;
        const defaultSchemaId =
          format === "csv" ? (opts.schema ?? (await defaultImportSchema(t.clients.identity))) : undefined;
        try {
          rows =
            format === "csv"
              ? await identitiesFromCsv(text, {
                  ...(defaultSchemaId ? { defaultSchemaId } : {}),
                  schemaFor: async (id) => {
                    const res = await fetch(`${t.url}/schemas/${encodeURIComponent(id)}`);
                    if (!res.ok) throw new Error(`schema ${id}: ${res.status}`);
                    return res.json();
                  },
                })
              : identitiesFromJson(text);
        } catch (e) {
          throw new UsageError(`${file}: ${(e as Error).message}`);
        }
        const results = await importIdentities(t.url, rows, batchSize ? { batchSize } : {});
        for (const r of results) report.push({ file, ...r });
      }
      const failed = report.filter((r) => r.status !== "created").length;
      if (opts.json) printJson(report);
      else {
        const multi = files.length > 1;
        printTable(
          [...(multi ? ["FILE"] : []), "ROW", "RESULT", "IDENTITY", "IDENTIFIER", "REASON"],
          report.map((r) => [
            ...(multi ? [r.file] : []),
            String(r.row),
            r.status,
            cell(r.id),
            cell(r.identifier),
            cell(r.reason),
          ]),
        );
        process.stderr.write(`${report.length - failed} imported, ${failed} refused\n`);
      }
      return failed ? 1 : 0;
    },
    () => where(),
  );
}

export async function exportCommand(
  l: Layout,
  opts: AdminOptions & { format?: string; output?: string; includeCredentials?: boolean },
): Promise<number> {
  let where = () => "the identity admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      const format = formatOf(opts.format, opts.output);
      const items = await exportIdentities(t.clients.identity, {
        includeCredentials: opts.includeCredentials === true,
      });
      const text =
        format === "csv"
          ? identitiesToCsv(items)
          : `${JSON.stringify(
              items.map((i) => i.body),
              null,
              2,
            )}\n`;
      if (opts.output && opts.output !== "-") {
        // Password hashes are secrets: the file is readable by its owner only.
        writeFileSync(opts.output, text, { mode: opts.includeCredentials ? 0o600 : 0o644 });
        process.stderr.write(`${items.length} identities written to ${opts.output}\n`);
      } else process.stdout.write(text);
      return 0;
    },
    () => where(),
  );
}
