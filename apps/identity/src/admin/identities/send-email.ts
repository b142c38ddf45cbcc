import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { enqueueEmail } from "../../courier/queue.ts";
import { badRequest } from "../../errors/index.ts";
import { readBody } from "../../http/request.ts";
import { type FullIdentity, loadIdentity } from "../../identity/repository.ts";
import { normalizeIdentifier } from "../../identity/schemas.ts";
import { createFlow, uiUrl } from "../../selfservice/flow/common.ts";
import { storeRecoveryCode } from "../../selfservice/recovery/codes.ts";
import { adminCodeUi, ensureRecoveryEnabled, type RecoveryData } from "../../selfservice/recovery/flow.ts";
import {
  ensureVerificationEnabled,
  sendVerificationCode,
  sentEmailUi,
  verificationUiUrl,
} from "../../selfservice/verification/flow.ts";
import { isUuid } from "./input.ts";
import { identityNotFound } from "./write.ts";

/*
 * Olympus extension for support without impersonation: an administrator has the core mail an
 * identity a recovery code or a verification code, through the courier and its templates, to one
 * of the identity's own addresses (never an address the administrator types in).
 *   POST /admin/olympus/identities/{id}/recovery-email      { "address"?: string }
 *   POST /admin/olympus/identities/{id}/verification-email  { "address"?: string }
 * Both answer 202 with the address and the flow; the admin audit middleware records them. The
 * flows are bound to no browser (as the admin recovery code is): the recipient opens the link in
 * their own.
 */

const body = z.object({ address: z.string().min(1).max(320).optional() }).strict();

async function parse(c: Context): Promise<z.output<typeof body>> {
  const parsed = body.safeParse(await readBody(c));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

async function requireIdentity(ctx: AppContext, id: string | undefined): Promise<FullIdentity> {
  const full = id && isUuid(id) ? await loadIdentity(ctx.db, id.toLowerCase()) : undefined;
  if (!full) throw identityNotFound();
  return full;
}

/** The identity's own email address: the one asked for, else the first one. */
function pick(addresses: { value: string; via: string }[], asked: string | undefined, what: string): string {
  const emails = addresses.filter((a) => a.via === "email");
  if (!emails.length) throw badRequest(`This identity has no ${what} address.`);
  if (asked === undefined) return emails[0]!.value;
  const wanted = normalizeIdentifier(asked);
  const found = emails.find((a) => a.value === wanted);
  if (!found) throw badRequest(`address: not one of this identity's ${what} addresses.`);
  return found.value;
}

export function registerAdminSendEmailRoutes(admin: Hono, ctx: AppContext): void {
  admin.post("/olympus/identities/:id/recovery-email", async (c) => {
    ensureRecoveryEnabled(ctx);
    const full = await requireIdentity(ctx, c.req.param("id"));
    const address = pick(full.recovery, (await parse(c)).address, "recovery");
    const lifespanMs = ctx.config.selfservice.methods.code.lifespan;
    const flow = await ctx.db.transaction(async (tx) => {
      const flow = await createFlow(
        c,
        ctx,
        {
          kind: "recovery",
          type: "browser",
          state: "sent_email",
          ui: adminCodeUi(),
          data: { admin: true, address } satisfies RecoveryData,
          lifespanMs,
          csrfHash: null,
        },
        tx,
      );
      const code = await storeRecoveryCode(tx, ctx, {
        flowId: flow.id,
        identityId: full.identity.id,
        address,
        lifespanMs,
      });
      // The flow's page, not a link carrying the code: a code link signs in only the browser that
      // asked for it, and this flow was asked for by no browser.
      await enqueueEmail(
        tx,
        ctx,
        "recovery_code_valid",
        address,
        { recovery_code: code, recovery_url: `${uiUrl(ctx, "recovery")}?flow=${flow.id}`, to: address },
        { identityId: full.identity.id },
      );
      return flow;
    });
    ctx.notifyCourier();
    ctx.log.info("recovery email sent by an administrator", { identity_id: full.identity.id });
    return c.json({ address, flow_id: flow.id, expires_at: flow.expiresAt.toISOString() }, 202);
  });

  admin.post("/olympus/identities/:id/verification-email", async (c) => {
    ensureVerificationEnabled(ctx);
    const full = await requireIdentity(ctx, c.req.param("id"));
    const asked = (await parse(c)).address;
    const unverified = full.verifiable.filter((a) => !a.verified);
    const address = pick(
      asked === undefined && unverified.length ? unverified : full.verifiable,
      asked,
      "verifiable",
    );
    if (full.verifiable.find((a) => a.value === address)?.verified) {
      throw badRequest(`${address} is verified already.`);
    }
    const flow = await ctx.db.transaction(async (tx) => {
      const flow = await createFlow(
        c,
        ctx,
        {
          kind: "verification",
          type: "browser",
          state: "sent_email",
          ui: sentEmailUi(address),
          csrfHash: null,
        },
        tx,
      );
      await sendVerificationCode(tx, ctx, { flowId: flow.id, identityId: full.identity.id, address });
      return flow;
    });
    ctx.notifyCourier();
    ctx.log.info("verification email sent by an administrator", { identity_id: full.identity.id });
    return c.json(
      {
        address,
        flow_id: flow.id,
        verification_url: verificationUiUrl(ctx, flow.id),
        expires_at: flow.expiresAt.toISOString(),
      },
      202,
    );
  });
}
