import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../../app/context.ts";
import { urlJoin } from "../../app/runtime.ts";
import { parseDuration } from "../../config/duration.ts";
import { badRequest, notFound } from "../../errors/index.ts";
import { readBody } from "../../http/request.ts";
import { loadIdentity } from "../../identity/repository.ts";
import { randomAlnum, sha256hex } from "../../security/random.ts";
import { checkReturnTo, createFlow, uiUrl } from "../../selfservice/flow/common.ts";
import { storeRecoveryCode } from "../../selfservice/recovery/codes.ts";
import {
  adminCodeUi,
  chooseMethodUi,
  ensureRecoveryEnabled,
  type RecoveryData,
} from "../../selfservice/recovery/flow.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const linkBody = z.object({
  identity_id: z.string().regex(UUID, "must be a UUID"),
  expires_in: z.string().optional(),
});
const codeBody = linkBody.extend({ flow_type: z.enum(["browser", "api"]).optional() });

/** Validates an admin request body at the edge; every problem is a 400 naming the field. */
async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const parsed = schema.safeParse(await readBody(c));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`${issue.path.join(".") || "body"}: ${issue.message}`);
  }
  return parsed.data;
}

/** `expires_in` as Kratos takes it: a Go duration ("1h", "15m"), default the code lifespan. */
function lifespan(ctx: AppContext, expiresIn: string | undefined): number {
  if (expiresIn === undefined || expiresIn === "") return ctx.config.selfservice.methods.code.lifespan;
  const ms = parseDuration(expiresIn);
  if (ms === undefined) {
    throw badRequest(
      `Unable to parse "expires_in" as a duration string (e.g. "1h", "1m30s", "500ms"): ${expiresIn}`,
    );
  }
  if (ms <= 0) throw badRequest(`Value from "expires_in" must result to a future time: ${expiresIn}`);
  return ms;
}

async function requireIdentity(ctx: AppContext, id: string) {
  const identity = await loadIdentity(ctx.db, id);
  if (!identity) throw notFound("Unable to locate the identity.");
  return identity;
}

export function registerAdminRecoveryRoutes(admin: Hono, ctx: AppContext): void {
  /** A recovery flow already waiting for a code, and that code, to hand to the user out of band. */
  admin.post("/recovery/code", async (c) => {
    ensureRecoveryEnabled(ctx);
    const body = await parseBody(c, codeBody);
    const expiresIn = lifespan(ctx, body.expires_in);
    const identity = await requireIdentity(ctx, body.identity_id);
    const type = body.flow_type ?? "browser";
    const { flow, code } = await ctx.db.transaction(async (tx) => {
      const flow = await createFlow(
        c,
        ctx,
        {
          kind: "recovery",
          type,
          state: "sent_email",
          ui: adminCodeUi(),
          data: { admin: true } satisfies RecoveryData,
          lifespanMs: expiresIn,
          // Bound to no browser: it is opened in one the core has never seen.
          csrfHash: null,
        },
        tx,
      );
      const code = await storeRecoveryCode(tx, ctx, {
        flowId: flow.id,
        identityId: identity.identity.id,
        address: "",
        lifespanMs: expiresIn,
      });
      return { flow, code };
    });
    ctx.log.info("recovery code created by an administrator", { identity_id: identity.identity.id });
    return c.json(
      {
        recovery_link: `${uiUrl(ctx, "recovery")}?flow=${flow.id}`,
        recovery_code: code,
        expires_at: flow.expiresAt.toISOString(),
      },
      201,
    );
  });

  /** A one-time link that signs the identity in and lands on settings; only its hash is stored. */
  admin.post("/recovery/link", async (c) => {
    ensureRecoveryEnabled(ctx);
    const body = await parseBody(c, linkBody);
    const expiresIn = lifespan(ctx, body.expires_in);
    // Where settings sends the user once the new password is saved.
    const returnTo = checkReturnTo(ctx, c.req.query("return_to"));
    const identity = await requireIdentity(ctx, body.identity_id);
    const token = randomAlnum(32);
    const flow = await createFlow(c, ctx, {
      kind: "recovery",
      type: "browser",
      state: "choose_method",
      ui: chooseMethodUi(),
      returnTo,
      data: {
        admin: true,
        link_token_hash: sha256hex(token),
        link_identity_id: identity.identity.id,
      } satisfies RecoveryData,
      lifespanMs: expiresIn,
      csrfHash: null,
    });
    ctx.log.info("recovery link created by an administrator", { identity_id: identity.identity.id });
    const params = new URLSearchParams({ flow: flow.id, token });
    return c.json({
      recovery_link: urlJoin(ctx.rt.publicBaseUrl, `self-service/recovery?${params}`),
      expires_at: flow.expiresAt.toISOString(),
    });
  });
}
