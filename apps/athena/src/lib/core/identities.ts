import "server-only";
import type { Identity } from "@olympus/sdk";
import { core } from "./clients";
import { type IdentityRow, toRow, UUID_RE } from "./identity-view";
import { nextPageToken } from "./pagination";

export const PAGE_SIZE = 25;
/** Scanning for schema/state filters (which the Kratos API does not have) stops after this many identities. */
const SCAN_BUDGET = 2000;
const SCAN_PAGE = 250;

export interface IdentityQuery {
  /** Email/identifier (exact and similar), or an identity id. */
  q?: string;
  schema?: string;
  state?: "active" | "inactive";
  pageToken?: string;
}

export interface IdentityPage {
  rows: IdentityRow[];
  nextToken?: string;
  /** How the rows were found, to say so on the page. */
  mode: "list" | "search" | "scan";
  /** For scans: identities looked at, and whether the budget ran out before the end. */
  scanned?: number;
  truncated?: boolean;
}

function matches(i: Identity, q: IdentityQuery): boolean {
  if (q.schema && i.schema_id !== q.schema) return false;
  if (q.state && (i.state ?? "active") !== q.state) return false;
  return true;
}

/**
 * One page of identities. A plain list pages with the core's page_token. A search asks the core
 * for the exact identifier, the similar identifiers (`preview_credentials_identifier_similar`) or
 * the id. Schema and state are not Kratos list filters, so those scan the core's pages (bounded).
 */
export async function findIdentities(q: IdentityQuery): Promise<IdentityPage> {
  const api = core().identity;
  const term = q.q?.trim();
  if (term) {
    const found = new Map<string, Identity>();
    if (UUID_RE.test(term)) {
      for (const i of await api.listIdentities({ ids: [term.toLowerCase()] })) found.set(i.id, i);
    }
    const [exact, similar] = await Promise.all([
      api.listIdentities({ credentialsIdentifier: term, pageSize: PAGE_SIZE }),
      api.listIdentities({ previewCredentialsIdentifierSimilar: term, pageSize: PAGE_SIZE }),
    ]);
    for (const i of [...exact, ...similar]) found.set(i.id, i);
    const rows = [...found.values()].filter((i) => matches(i, q)).map(toRow);
    return { rows, mode: "search" };
  }
  if (!q.schema && !q.state) {
    const res = await api.listIdentitiesRaw({
      pageSize: PAGE_SIZE,
      ...(q.pageToken ? { pageToken: q.pageToken } : {}),
    });
    const items = await res.value();
    const next = nextPageToken(res.raw.headers.get("link"));
    return { rows: items.map(toRow), mode: "list", ...(next ? { nextToken: next } : {}) };
  }
  // Filtered scan: whole core pages until a table page is full, the list ends or the budget runs out.
  const rows: IdentityRow[] = [];
  let token = q.pageToken;
  let scanned = 0;
  let next: string | undefined;
  do {
    const res = await api.listIdentitiesRaw({ pageSize: SCAN_PAGE, ...(token ? { pageToken: token } : {}) });
    const items = await res.value();
    scanned += items.length;
    rows.push(...items.filter((i) => matches(i, q)).map(toRow));
    next = nextPageToken(res.raw.headers.get("link"));
    token = next;
  } while (next && rows.length < PAGE_SIZE && scanned < SCAN_BUDGET);
  return {
    rows,
    mode: "scan",
    scanned,
    truncated: !!next && scanned >= SCAN_BUDGET && rows.length < PAGE_SIZE,
    ...(next ? { nextToken: next } : {}),
  };
}
