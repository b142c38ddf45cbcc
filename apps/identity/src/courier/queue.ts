import { eq } from "drizzle-orm";
import type { AppContext } from "../app/context.ts";
import type { DbOrTx } from "../db/client.ts";
import { courierMessages, identities } from "../db/schema.ts";
import { uuid } from "../security/random.ts";
import { type EmailLocale, emailLocale } from "./locale.ts";
import {
  renderSms,
  renderTemplate,
  type SmsTemplateType,
  type TemplateData,
  type TemplateType,
} from "./templates.ts";

/** Who an email is for, to write it in their language. */
export interface EmailAudience {
  /** The identity the mail is about: its `locale` trait decides the language. */
  identityId?: string;
  /** The Accept-Language of the request that caused the mail: used when the identity has no locale. */
  acceptLanguage?: string | null;
}

/** The language of a mail: the identity's stored locale, else the browser's, else English. */
async function localeFor(tx: DbOrTx, audience: EmailAudience): Promise<EmailLocale> {
  let traits: unknown;
  if (audience.identityId) {
    const [row] = await tx
      .select({ traits: identities.traits })
      .from(identities)
      .where(eq(identities.id, audience.identityId))
      .limit(1);
    traits = row?.traits;
  }
  return emailLocale({ traits, acceptLanguage: audience.acceptLanguage });
}

/**
 * Queues an email in the same transaction as the flow step that caused it; the worker sends it
 * later, so a crash between the two loses nothing. Call `ctx.notifyCourier()` after commit.
 */
export async function enqueueEmail<T extends TemplateType>(
  tx: DbOrTx,
  ctx: AppContext,
  template: T,
  recipient: string,
  data: TemplateData[T],
  audience: EmailAudience = {},
): Promise<string> {
  const rendered = renderTemplate(ctx, template, data, await localeFor(tx, audience));
  const id = uuid();
  const now = new Date();
  await tx.insert(courierMessages).values({
    id,
    type: "email",
    status: "queued",
    recipient,
    subject: rendered.subject,
    body: rendered.text,
    htmlBody: rendered.html,
    templateType: template,
    channel: "email",
    sendCount: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

/**
 * Queues a text message to a phone number through the courier channel `sms` (Kratos' message type
 * `phone`), in the same transaction as the flow step that caused it. The worker delivers it with the
 * channel's HTTP request (courier.channels); without such a channel it is retried, then abandoned.
 */
export async function enqueueSms<T extends SmsTemplateType>(
  tx: DbOrTx,
  ctx: AppContext,
  template: T,
  recipient: string,
  data: TemplateData[T],
  audience: EmailAudience = {},
): Promise<string> {
  const text = renderSms(ctx, template, data, await localeFor(tx, audience));
  const id = uuid();
  const now = new Date();
  await tx.insert(courierMessages).values({
    id,
    type: "phone",
    status: "queued",
    recipient,
    subject: "",
    body: text,
    htmlBody: null,
    templateType: template,
    channel: "sms",
    sendCount: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}
