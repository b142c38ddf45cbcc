import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MailDev } from "maildev";
import { freePort } from "@olympus/testkit";

/** A mail as MailDev's REST API returns it (the fields tests read). */
export interface CaughtMail {
  id: string;
  subject: string;
  text?: string;
  html?: string;
  to: { address: string; name?: string }[];
  from: { address: string; name?: string }[];
  date?: string;
}

export interface MailCatcher {
  smtpPort: number;
  apiUrl: string;
  list(): Promise<CaughtMail[]>;
  /** Waits until a mail to `to` (matching `match`) arrives; newest first. */
  waitFor(to: string, opts?: { match?: (m: CaughtMail) => boolean; timeoutMs?: number }): Promise<CaughtMail>;
  clear(): Promise<void>;
  /** Stops the catcher; `abrupt` drops open SMTP sessions at once (an outage) instead of waiting up to 30 s for them. */
  stop(opts?: { abrupt?: boolean }): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (@olympus/testkit). */
export { freePort };

/**
 * Starts a real MailDev (SMTP + REST API) on free ports, with its own mail directory. `smtpPort`
 * and `webPort` bring a stopped catcher back on the ports it had (SMTP outage tests).
 */
export async function startMailCatcher(
  opts: { smtpPort?: number; webPort?: number } = {},
): Promise<MailCatcher> {
  const dir = await mkdtemp(join(tmpdir(), "olympus-maildev-"));
  const smtpPort = opts.smtpPort ?? (await freePort());
  const webPort = opts.webPort ?? (await freePort());
  const maildev = new MailDev({
    smtp: smtpPort,
    web: webPort,
    ip: "127.0.0.1",
    webIp: "127.0.0.1",
    mailDirectory: dir,
    silent: true,
  } as never);
  await maildev.start();
  const apiUrl = `http://127.0.0.1:${webPort}/api`;
  const list = async (): Promise<CaughtMail[]> => {
    const res = await fetch(`${apiUrl}/email`);
    if (!res.ok) throw new Error(`MailDev list: HTTP ${res.status}`);
    return (await res.json()) as CaughtMail[];
  };
  return {
    smtpPort,
    apiUrl,
    list,
    async waitFor(to, opts = {}) {
      const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
      const want = to.toLowerCase();
      while (Date.now() < deadline) {
        const mails = (await list()).filter(
          (m) => m.to.some((t) => t.address.toLowerCase() === want) && (!opts.match || opts.match(m)),
        );
        if (mails.length) return mails[mails.length - 1]!;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no mail to ${to} arrived within ${opts.timeoutMs ?? 15_000} ms`);
    },
    async clear() {
      await fetch(`${apiUrl}/email/all`, { method: "DELETE" });
    },
    async stop(opts = {}) {
      if (opts.abrupt) {
        // smtp-server waits `closeTimeout` (default 30 s) for open sessions, e.g. a sender's idle pool.
        const lib = (maildev as unknown as { orchestrator?: { smtp?: { smtp?: { options?: object } } } })
          .orchestrator?.smtp?.smtp;
        if (lib?.options) Object.assign(lib.options, { closeTimeout: 50 });
      }
      await maildev.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The 6-digit code in a mail's text. */
export function extractCode(mail: CaughtMail): string {
  const m = /\b(\d{6})\b/.exec(mail.text ?? mail.html ?? "");
  if (!m) throw new Error(`no code in mail "${mail.subject}"`);
  return m[1]!;
}

/** The self-service link of `kind` in a mail's text part (a line of its own). */
export function linkOf(mail: CaughtMail, kind: "verification" | "recovery"): string {
  const found = new RegExp(`^(http\\S*/self-service/${kind}\\?\\S+)$`, "m").exec(mail.text ?? "");
  if (!found) throw new Error(`no ${kind} link in "${mail.subject}"`);
  return found[1]!;
}
