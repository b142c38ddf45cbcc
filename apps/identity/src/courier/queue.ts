import type { AppContext } from "../app/context.ts";
import type { DbOrTx } from "../db/client.ts";
import { courierMessages } from "../db/schema.ts";
import { uuid } from "../security/random.ts";
import { renderTemplate, type TemplateData, type TemplateType } from "./templates.ts";

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
): Promise<string> {
  const rendered = renderTemplate(ctx, template, data);
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
