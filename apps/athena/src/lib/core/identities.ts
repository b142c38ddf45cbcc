import "server-only";
import type { Identity } from "@olympus/sdk";
import { core } from "./clients";
import { type IdentityRow, toRow } from "./identity-view";

export const PAGE_SIZE = 25;

export interface IdentityQuery {
  /** Words matched against every trait, address, identifier and external id, or an identity id. */
  q?: string;
  schema?: string;
  state?: "active" | "inactive";
  pageToken?: string;
}

export interface IdentityPage {
  rows: IdentityRow[];
  /** Identities matching the query (all pages). */
  total: number;
  nextToken?: string;
  prevToken?: string;
}

/**
 * One page of identities through the core's search (`/admin/olympus/identities/search`): any
 * trait, name or address matches — also for identities created without a password, which Kratos'
 * identifier filter cannot find — with schema and state filters, a total and both neighbours.
 */
export async function findIdentities(q: IdentityQuery): Promise<IdentityPage> {
  const page = await core().olympus.searchIdentities<Identity>({
    ...(q.q?.trim() ? { q: q.q.trim() } : {}),
    ...(q.schema ? { schema_id: q.schema } : {}),
    ...(q.state ? { state: q.state } : {}),
    ...(q.pageToken ? { page_token: q.pageToken } : {}),
    page_size: PAGE_SIZE,
  });
  return {
    rows: page.items.map(toRow),
    total: page.total,
    ...(page.next ? { nextToken: page.next } : {}),
    ...(page.prev ? { prevToken: page.prev } : {}),
  };
}
