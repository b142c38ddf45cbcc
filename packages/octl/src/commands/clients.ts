// octl clients: list, create and delete OAuth2 clients through a domain's Hydra admin API.
import { nextPageToken, type OAuth2Client } from "@olympus/sdk";
import { adminRun, cell, printJson, printTable } from "../admin/output.ts";
import { type AdminOptions, adminClients, UsageError } from "../admin/target.ts";
import type { Layout } from "../paths.ts";

const HEADER = [
  "CLIENT ID",
  "NAME",
  "GRANT TYPES",
  "RESPONSE TYPES",
  "SCOPE",
  "AUTH METHOD",
  "REDIRECT URIS",
];
const rowOf = (c: OAuth2Client) => [
  cell(c.client_id),
  cell(c.client_name),
  cell(c.grant_types?.join(",")),
  cell(c.response_types?.join(",")),
  cell(c.scope),
  cell(c.token_endpoint_auth_method),
  cell(c.redirect_uris?.join(",")),
];

function connect(l: Layout, opts: AdminOptions) {
  const t = adminClients(l, opts, "oauth2");
  return { ...t, where: () => `the ${t.domain.toUpperCase()} OAuth2 admin API at ${t.url}` };
}

/** Repeatable flags that also take comma-separated lists, as Ory's CLI does. */
const list = (values: string[] | undefined) =>
  (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

export async function listClientsCommand(
  l: Layout,
  opts: AdminOptions & { pageSize?: string; pageToken?: string },
): Promise<number> {
  let where = () => "the OAuth2 admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      const size = opts.pageSize === undefined ? 250 : Number(opts.pageSize);
      if (!Number.isInteger(size) || size < 1 || size > 500)
        throw new UsageError("--page-size must be 1 to 500");
      const res = await t.clients.oauth2.listOAuth2ClientsRaw({
        pageSize: size,
        ...(opts.pageToken ? { pageToken: opts.pageToken } : {}),
      });
      const items = await res.value();
      if (opts.json) printJson(items);
      else printTable(HEADER, items.map(rowOf));
      const next = nextPageToken(res.raw.headers.get("link"));
      if (next) process.stderr.write(`more: octl clients list --page-token ${next}\n`);
      return 0;
    },
    () => where(),
  );
}

export interface CreateClientOptions extends AdminOptions {
  name?: string;
  grantType?: string[];
  responseType?: string[];
  scope?: string[];
  audience?: string[];
  redirectUri?: string[];
  postLogoutCallback?: string[];
  tokenEndpointAuthMethod?: string;
  secret?: string;
}

export async function createClientCommand(l: Layout, opts: CreateClientOptions): Promise<number> {
  let where = () => "the OAuth2 admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      const body: OAuth2Client = {
        ...(opts.name !== undefined ? { client_name: opts.name } : {}),
        ...(opts.grantType ? { grant_types: list(opts.grantType) } : {}),
        ...(opts.responseType ? { response_types: list(opts.responseType) } : {}),
        ...(opts.scope ? { scope: list(opts.scope).join(" ") } : {}),
        ...(opts.audience ? { audience: list(opts.audience) } : {}),
        ...(opts.redirectUri ? { redirect_uris: list(opts.redirectUri) } : {}),
        ...(opts.postLogoutCallback ? { post_logout_redirect_uris: list(opts.postLogoutCallback) } : {}),
        ...(opts.tokenEndpointAuthMethod ? { token_endpoint_auth_method: opts.tokenEndpointAuthMethod } : {}),
        ...(opts.secret !== undefined ? { client_secret: opts.secret } : {}),
      };
      const client = await t.clients.oauth2.createOAuth2Client({ oAuth2Client: body });
      if (opts.json) printJson(client);
      else {
        printTable(
          [...HEADER.slice(0, 1), "CLIENT SECRET", ...HEADER.slice(1)],
          [[rowOf(client)[0]!, cell(client.client_secret), ...rowOf(client).slice(1)]],
        );
        // The secret is shown once: the core keeps only its hash.
        if (client.client_secret) process.stderr.write("the client secret is shown only now: keep it\n");
      }
      return 0;
    },
    () => where(),
  );
}

export async function deleteClientCommand(l: Layout, ids: string[], opts: AdminOptions): Promise<number> {
  let where = () => "the OAuth2 admin API";
  return adminRun(
    async () => {
      const t = connect(l, opts);
      where = t.where;
      for (const id of ids) {
        await t.clients.oauth2.deleteOAuth2Client({ id });
        if (!opts.json) process.stdout.write(`${id}\n`);
      }
      if (opts.json) printJson(ids);
      return 0;
    },
    () => where(),
  );
}
