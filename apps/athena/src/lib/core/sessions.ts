import "server-only";
import type { Session } from "@olympus/sdk";
import { describeUserAgent } from "@olympus/web/device";
import { core } from "./clients";
import { primaryIdentifier, UUID_RE } from "./identity-view";
import { nextPageToken } from "./pagination";

export interface SessionRow {
  id: string;
  active: boolean;
  identityId: string | null;
  identifier: string | null;
  authenticatedAt: string | null;
  expiresAt: string | null;
  aal: string | null;
  methods: string[];
  ip: string | null;
  userAgent: string | null;
  /** The device read from the user agent ("Firefox 128 · Windows 10"), null when it cannot be read. */
  device: string | null;
}

const iso = (d: Date | undefined) => (d ? new Date(d).toISOString() : null);

export function toSessionRow(s: Session): SessionRow {
  const device = s.devices?.[0];
  return {
    id: s.id,
    active: !!s.active,
    identityId: s.identity?.id ?? null,
    identifier: s.identity ? primaryIdentifier(s.identity) : null,
    authenticatedAt: iso(s.authenticated_at),
    expiresAt: iso(s.expires_at),
    aal: s.authenticator_assurance_level ?? null,
    methods: [...new Set((s.authentication_methods ?? []).map((m) => m.method ?? "").filter(Boolean))],
    ip: device?.ip_address ?? null,
    userAgent: device?.user_agent ?? null,
    device: describeUserAgent(device?.user_agent) ?? null,
  };
}

export interface SessionQuery {
  /** An identity id, or an identifier (email…) resolved to identities. */
  identity?: string;
  active?: boolean;
  pageToken?: string;
}

export interface SessionPage {
  rows: SessionRow[];
  nextToken?: string;
  /** For an identity search: the identities whose sessions are shown. */
  identities?: { id: string; identifier: string }[];
}

/** Sessions of the domain (token-paginated), or of the identities an `identity` search finds. */
export async function findSessions(q: SessionQuery): Promise<SessionPage> {
  const api = core().identity;
  const term = q.identity?.trim();
  if (term) {
    const identities = UUID_RE.test(term)
      ? await api.listIdentities({ ids: [term.toLowerCase()] })
      : await api
          .listIdentities({ credentialsIdentifier: term, pageSize: 10 })
          .then(async (exact) =>
            exact.length
              ? exact
              : api.listIdentities({ previewCredentialsIdentifierSimilar: term, pageSize: 10 }),
          );
    const rows: SessionRow[] = [];
    for (const identity of identities.slice(0, 10)) {
      const sessions = await api.listIdentitySessions({
        id: identity.id,
        ...(q.active ? { active: true } : {}),
      });
      rows.push(...sessions.map((s) => toSessionRow({ ...s, identity: s.identity ?? identity })));
    }
    return { rows, identities: identities.map((i) => ({ id: i.id, identifier: primaryIdentifier(i) })) };
  }
  const res = await api.listSessionsRaw({
    pageSize: 50,
    expand: ["identity", "devices"],
    ...(q.active !== undefined ? { active: q.active } : {}),
    ...(q.pageToken ? { pageToken: q.pageToken } : {}),
  });
  const rows = (await res.value()).map(toSessionRow);
  const next = nextPageToken(res.raw.headers.get("link"));
  return { rows, ...(next ? { nextToken: next } : {}) };
}
