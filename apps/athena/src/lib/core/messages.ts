import "server-only";
import type { CourierMessageStatus } from "@olympus/sdk";
import { core } from "./clients";
import { nextPageToken } from "./pagination";

export const MESSAGE_STATUSES = ["queued", "processing", "sent", "abandoned"] as const;

export interface MessageRow {
  id: string;
  status: string;
  type: string;
  recipient: string;
  subject: string;
  template: string;
  sendCount: number;
  createdAt: string | null;
  /** Only for admins: bodies carry recovery and verification codes. */
  body?: string;
  lastError?: string | null;
}

export interface MessageQuery {
  status?: string;
  recipient?: string;
  pageToken?: string;
  withBodies: boolean;
}

/** One page of courier messages, newest first. */
export async function findMessages(q: MessageQuery): Promise<{ rows: MessageRow[]; nextToken?: string }> {
  const status = (MESSAGE_STATUSES as readonly string[]).includes(q.status ?? "")
    ? (q.status as CourierMessageStatus)
    : undefined;
  const res = await core().courier.listCourierMessagesRaw({
    pageSize: 25,
    ...(status ? { status } : {}),
    ...(q.recipient?.trim() ? { recipient: q.recipient.trim() } : {}),
    ...(q.pageToken ? { pageToken: q.pageToken } : {}),
  });
  const rows = (await res.value()).map((m): MessageRow => {
    const dispatches = (m.dispatches ?? []) as { error?: unknown }[];
    const lastError = dispatches.at(-1)?.error;
    return {
      id: m.id,
      status: String(m.status),
      type: String(m.type),
      recipient: m.recipient,
      subject: m.subject,
      template: String(m.template_type),
      sendCount: m.send_count,
      createdAt: m.created_at ? new Date(m.created_at).toISOString() : null,
      ...(q.withBodies ? { body: m.body } : {}),
      ...(lastError
        ? { lastError: typeof lastError === "string" ? lastError : JSON.stringify(lastError) }
        : {}),
    };
  });
  const next = nextPageToken(res.raw.headers.get("link"));
  return { rows, ...(next ? { nextToken: next } : {}) };
}
