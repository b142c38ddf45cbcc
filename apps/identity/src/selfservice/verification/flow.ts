import { and, eq, sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppContext } from "../../app/context.ts";
import { enqueueEmail } from "../../courier/queue.ts";
import type { DbOrTx, Tx } from "../../db/client.ts";
import { identityVerifiableAddresses, selfserviceFlows } from "../../db/schema.ts";
import { flowDisabled } from "../../errors/index.ts";
import { baseFlowWire, createFlow, csrfForNewFlow, type NewFlowInput, uiUrl } from "../flow/common.ts";
import { createFlowWithHooks } from "../hook/before.ts";
import { codeLink } from "../flow/email-link.ts";
import type { FlowRow } from "../flow/repository.ts";
import { text, type UiText } from "../flow/text.ts";
import { anchorNode, csrfNode, inputNode, type UiContainer } from "../flow/ui.ts";
import { CODE_LENGTH, storeVerificationCode } from "./codes.ts";

/** What a verification flow keeps in `data`; `submit_count` is only ever changed atomically. */
export interface VerificationData {
  address?: string;
  submit_count?: number;
}

export function ensureVerificationEnabled(ctx: AppContext): void {
  if (!ctx.config.selfservice.flows.verification.enabled) throw flowDisabled("verification");
}

/** choose_method: ask for the address. */
export function chooseMethodUi(messages?: UiText[], email?: string): Omit<UiContainer, "action"> {
  return {
    method: "POST",
    nodes: [
      csrfNode(),
      inputNode("code", "email", "email", { required: true, value: email, label: text.labelEmail() }),
      inputNode("code", "method", "submit", { value: "code", label: text.labelContinue() }),
    ],
    ...(messages?.length ? { messages } : {}),
  };
}

/** sent_email: the code input, and a resend button carrying the address (as Kratos renders it). */
export function sentEmailUi(email: string, messages: UiText[] = [text.verificationCodeSent()]) {
  const ui: Omit<UiContainer, "action"> = {
    method: "POST",
    nodes: [
      csrfNode(),
      inputNode("code", "code", "text", {
        required: true,
        pattern: "[0-9]+",
        maxlength: CODE_LENGTH,
        autocomplete: "one-time-code",
        label: text.labelVerificationCode(),
      }),
      inputNode("code", "method", "hidden", { value: "code" }),
      inputNode("code", "method", "submit", { value: "code", label: text.labelContinue() }),
      inputNode("code", "email", "submit", { value: email, label: text.labelResendCode() }),
    ],
    messages,
  };
  return ui;
}

/** Where "continue" leads after success: return_to, the flow's after URL, or the default return URL. */
export function continueUrl(ctx: AppContext, row: FlowRow): string {
  return (
    row.returnTo ??
    ctx.config.selfservice.flows.verification.after.default_browser_return_url ??
    ctx.config.selfservice.default_browser_return_url
  );
}

/** passed_challenge: the success message and a link onwards (Kratos' UI becomes a GET to that link). */
export function passedUi(ctx: AppContext, row: FlowRow): UiContainer {
  const href = continueUrl(ctx, row);
  return {
    action: href,
    method: "GET",
    nodes: [anchorNode("code", "continue", href, text.labelContinue())],
    messages: [text.verificationSuccessful()],
  };
}

/** The Kratos VerificationFlow wire shape (`active` is always `code`). */
export function verificationWire(c: Context, ctx: AppContext, row: FlowRow): Record<string, unknown> {
  return { ...baseFlowWire(c, ctx, row), active: "code" };
}

export function verificationUiUrl(ctx: AppContext, flowId: string): string {
  return `${uiUrl(ctx, "verification")}?flow=${flowId}`;
}

export async function createVerificationFlow(
  c: Context,
  ctx: AppContext,
  input: {
    type: "browser" | "api";
    returnTo?: string | null;
    messages?: UiText[];
    email?: string;
    /** A flow the init endpoint creates: the `before` web hooks run first (hook/before.ts). */
    before?: boolean;
  },
  db: DbOrTx = ctx.db,
): Promise<FlowRow> {
  const flow: NewFlowInput = {
    kind: "verification",
    type: input.type,
    state: "choose_method",
    ui: chooseMethodUi(input.messages, input.email),
    returnTo: input.returnTo ?? undefined,
    csrfHash: csrfForNewFlow(c, ctx, input.type),
  };
  return input.before
    ? createFlowWithHooks(c, ctx, flow, (r) => verificationWire(c, ctx, r))
    : createFlow(c, ctx, flow, db);
}

/** Updates a verification flow; `data` keys are merged so a concurrent submit_count is never lost. */
export async function patchVerificationFlow(
  db: DbOrTx,
  id: string,
  patch: { state?: string; ui?: UiContainer; identityId?: string; data?: Partial<VerificationData> },
): Promise<void> {
  const { data, ...rest } = patch;
  await db
    .update(selfserviceFlows)
    .set({
      ...rest,
      ...(data ? { data: sql`${selfserviceFlows.data} || ${JSON.stringify(data)}::jsonb` } : {}),
      updatedAt: new Date(),
    })
    .where(eq(selfserviceFlows.id, id));
}

/**
 * Mails a fresh code for a known address within the caller's transaction and marks the address
 * `sent` (unless it is verified already). The caller calls ctx.notifyCourier() after commit.
 */
export async function sendVerificationCode(
  tx: DbOrTx,
  ctx: AppContext,
  input: { flowId: string; identityId: string; address: string; acceptLanguage?: string | null },
): Promise<void> {
  const code = await storeVerificationCode(tx, ctx, input);
  await enqueueEmail(
    tx,
    ctx,
    "verification_code_valid",
    input.address,
    {
      verification_code: code,
      verification_url: codeLink(ctx, "verification", input.flowId, code),
      to: input.address,
    },
    { identityId: input.identityId, acceptLanguage: input.acceptLanguage },
  );
  await tx
    .update(identityVerifiableAddresses)
    .set({ status: "sent", updatedAt: new Date() })
    .where(
      and(
        eq(identityVerifiableAddresses.identityId, input.identityId),
        eq(identityVerifiableAddresses.via, "email"),
        eq(identityVerifiableAddresses.value, input.address),
        eq(identityVerifiableAddresses.verified, false),
      ),
    );
}

/**
 * The show_verification_ui step of registration and settings: a verification flow already in `sent_email` for a new address, created
 * in the registration's transaction together with its code and queued mail.
 */
export async function startVerification(
  tx: Tx,
  ctx: AppContext,
  c: Context,
  input: {
    identityId: string;
    address: string;
    via: string;
    type: "browser" | "api";
    returnTo?: string | null;
  },
): Promise<{ flowId: string; url: string } | undefined> {
  if (input.via !== "email" || !ctx.config.selfservice.flows.verification.enabled) return undefined;
  const row = await createFlow(
    c,
    ctx,
    {
      kind: "verification",
      type: input.type,
      state: "sent_email",
      ui: sentEmailUi(input.address),
      returnTo: input.returnTo ?? undefined,
      csrfHash: csrfForNewFlow(c, ctx, input.type),
      data: { address: input.address } satisfies VerificationData,
    },
    tx,
  );
  await sendVerificationCode(tx, ctx, {
    flowId: row.id,
    identityId: input.identityId,
    address: input.address,
    acceptLanguage: c.req.header("accept-language"),
  });
  return { flowId: row.id, url: verificationUiUrl(ctx, row.id) };
}
