import nodemailer, { type Transporter } from "nodemailer";
import type SMTPPool from "nodemailer/lib/smtp-pool/index.js";

const truthy = (v: string | null) => v !== null && /^(1|t|true|yes)$/i.test(v);

/**
 * Turns a Kratos-style `courier.smtp.connection_uri` into pooled nodemailer options:
 * `smtps://` is TLS from the first byte; `smtp://` requires STARTTLS unless
 * `?disable_starttls=true`; `skip_ssl_verify`, `server_name` (TLS SNI) and `local_name` (HELO)
 * as Kratos reads them. Credentials come from the URL's user info.
 */
export function smtpOptions(connectionUri: string): SMTPPool.Options {
  let u: URL;
  try {
    u = new URL(connectionUri);
  } catch {
    throw new Error("courier.smtp.connection_uri: expected an smtp:// or smtps:// URL");
  }
  const secure = u.protocol === "smtps:";
  if (!secure && u.protocol !== "smtp:") {
    throw new Error("courier.smtp.connection_uri: expected an smtp:// or smtps:// URL");
  }
  const q = u.searchParams;
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  const disableStartTls = truthy(q.get("disable_starttls"));
  return {
    pool: true,
    host,
    port: u.port ? Number(u.port) : secure ? 465 : 25,
    secure,
    // Plain smtp:// must upgrade with STARTTLS (Kratos' default) unless explicitly disabled.
    ...(secure ? {} : disableStartTls ? { ignoreTLS: true } : { requireTLS: true }),
    ...(u.username
      ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
      : {}),
    ...(q.get("local_name") ? { name: q.get("local_name")! } : {}),
    tls: {
      rejectUnauthorized: !truthy(q.get("skip_ssl_verify")),
      servername: q.get("server_name") || host,
    },
    maxConnections: 3,
    maxMessages: 100,
    // Bounded, so a hung server cannot hold a message in `processing` past its timeout.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 60_000,
  };
}

/** One pooled SMTP transport per worker: connections are reused across messages. */
export function createSmtpTransport(connectionUri: string): Transporter<SMTPPool.SentMessageInfo> {
  return nodemailer.createTransport(smtpOptions(connectionUri));
}
