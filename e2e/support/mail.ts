// The e2e mail client: one interface over the two mail catchers Olympus deploys with — MailDev
// (`octl deploy`, REST API under /api) and MailSlurper (`deploy/compose`, service API `/mail`).
// Which one is selected by config (E2E_MAIL_API=maildev|mailslurper, E2E_MAIL_URL).

export interface Mail {
  id: string;
  to: string[];
  subject: string;
  /** Text body (MailDev) or the body as sent (MailSlurper: HTML or text). */
  body: string;
  date: string;
}

export interface MailClient {
  list(): Promise<Mail[]>;
  clear(): Promise<void>;
}

async function json(url: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: HTTP ${res.status}`);
  return res.json();
}

/** MailDev 3: GET /api/email, DELETE /api/email/all. */
export function maildev(baseUrl: string): MailClient {
  const api = `${baseUrl.replace(/\/$/, "")}/api`;
  return {
    async list() {
      const items = (await json(`${api}/email`)) as {
        id: string;
        subject: string;
        text?: string;
        html?: string;
        date?: string;
        time?: string;
        to: { address: string }[];
      }[];
      return items.map((m) => ({
        id: m.id,
        to: m.to.map((t) => t.address.toLowerCase()),
        subject: m.subject,
        body: m.text ?? m.html ?? "",
        date: m.date ?? m.time ?? "",
      }));
    },
    async clear() {
      await fetch(`${api}/email/all`, { method: "DELETE" });
    },
  };
}

/** MailSlurper: GET /mail?pageNumber=N → {mailItems, totalPages}, DELETE /mail {pruneCode:"all"}. */
export function mailslurper(baseUrl: string): MailClient {
  const api = baseUrl.replace(/\/$/, "");
  return {
    async list() {
      const out: Mail[] = [];
      for (let page = 1; ; page++) {
        const body = (await json(`${api}/mail?pageNumber=${page}`)) as {
          mailItems:
            | {
                id: string;
                dateSent: string;
                toAddresses: string[];
                subject: string;
                body?: string;
                mailBody?: string;
              }[]
            | null;
          totalPages: number;
        };
        for (const m of body.mailItems ?? []) {
          out.push({
            id: m.id,
            to: m.toAddresses.map((a) => a.replace(/^.*<([^>]+)>.*$/, "$1").toLowerCase()),
            subject: m.subject,
            body: m.body ?? m.mailBody ?? "",
            date: m.dateSent,
          });
        }
        if (page >= (body.totalPages || 1)) break;
      }
      return out;
    },
    async clear() {
      await fetch(`${api}/mail`, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pruneCode: "all" }),
      });
    },
  };
}

/** The client the environment selects; MailDev on octl's port by default. */
export function mailFromEnv(env: NodeJS.ProcessEnv = process.env): MailClient {
  const kind = env.E2E_MAIL_API ?? "maildev";
  if (kind === "mailslurper") return mailslurper(env.E2E_MAIL_URL ?? "http://127.0.0.1:4437");
  if (kind === "maildev") return maildev(env.E2E_MAIL_URL ?? "http://127.0.0.1:5434");
  throw new Error(`E2E_MAIL_API must be maildev or mailslurper, got ${kind}`);
}

/** Waits for the newest mail to `to` matching `match`; returns it. */
export async function waitForMail(
  client: MailClient,
  to: string,
  opts: { match?: (m: Mail) => boolean; timeoutMs?: number; after?: Set<string> } = {},
): Promise<Mail> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const want = to.toLowerCase();
  while (Date.now() < deadline) {
    const mails = (await client.list()).filter(
      (m) => m.to.includes(want) && !opts.after?.has(m.id) && (!opts.match || opts.match(m)),
    );
    if (mails.length) return mails[mails.length - 1]!;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no mail to ${to} within ${opts.timeoutMs ?? 30_000} ms`);
}

/** The 6-digit code in a mail. */
export function codeIn(mail: Mail): string {
  const m = /\b(\d{6})\b/.exec(mail.body.replace(/<[^>]+>/g, " "));
  if (!m) throw new Error(`no 6-digit code in "${mail.subject}"`);
  return m[1]!;
}

/**
 * The link in a verification or recovery mail that submits its code
 * (`<public base_url>/self-service/<kind>?flow=<id>&code=<code>`), from a text body or an HTML
 * one (where `&` is written `&amp;`). `kind` picks one when a mail could hold both.
 */
export function linkIn(mail: Mail, kind?: "verification" | "recovery"): string {
  const body = mail.body.replace(/&amp;/g, "&");
  const which = kind ?? "(?:verification|recovery)";
  const m = new RegExp(`https?://[^\\s"'<>]+/self-service/${which}\\?[^\\s"'<>]*\\bcode=\\d+`).exec(body);
  if (!m) throw new Error(`no ${kind ?? "verification or recovery"} link in "${mail.subject}"`);
  return m[0];
}
