import { and, eq, exists, gt, inArray, isNotNull, isNull, lt, not, or, type SQL } from "drizzle-orm";
import { alias, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import type { AppContext } from "../../app/context.ts";
import {
  oauth2Grants,
  oauth2HandledRequests,
  oauth2DeviceRequests,
  oauth2Jtis,
  oauth2Jwks,
  oauth2LoginSessions,
  selfserviceErrors,
  selfserviceFlows,
} from "../../db/schema.ts";

export interface JanitorReport {
  selfservice_flows: number;
  selfservice_errors: number;
  oauth2_grants: number;
  oauth2_login_sessions: number;
  oauth2_handled_requests: number;
  oauth2_jwks: number;
  oauth2_jtis: number;
  oauth2_device_requests: number;
}

/** Deletes the rows matching `where` in batches of `batch` until none is left; returns how many. */
async function deleteInBatches(
  ctx: AppContext,
  table: PgTable,
  key: PgColumn,
  where: SQL | undefined,
  batch: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = ctx.db.select({ k: key }).from(table).where(where).limit(batch);
    const deleted = await ctx.db.delete(table).where(inArray(key, ids)).returning({ k: key });
    total += deleted.length;
    if (deleted.length < batch) return total;
  }
}

/**
 * One janitor pass: deletes expired self-service flows (after a grace period, so late submits still
 * get 410 and a new flow) and stored self-service errors older than that grace period, grants whose code and tokens are all dead and whose consent is no longer
 * the remembered one (once their consent request has expired too), expired login sessions, marks of expired login/consent requests, and retired signing keys no token can need any more.
 */
export async function runJanitorOnce(ctx: AppContext, now = new Date()): Promise<JanitorReport> {
  const cfg = ctx.config.oauth2;
  const batch = cfg.janitor.batch_size;
  const flowCutoff = new Date(now.getTime() - cfg.janitor.keep_expired_flows_for);

  const newer = alias(oauth2Grants, "newer");
  const superseded = exists(
    ctx.db
      .select({ id: newer.id })
      .from(newer)
      .where(
        and(
          eq(newer.subject, oauth2Grants.subject),
          eq(newer.clientId, oauth2Grants.clientId),
          eq(newer.remember, true),
          eq(newer.consentSkipped, false),
          gt(newer.handledAt, oauth2Grants.handledAt),
        ),
      ),
  );
  const requestCutoff = new Date(now.getTime() - cfg.ttl.login_consent_request);
  const grantDead = and(
    lt(oauth2Grants.expiresAt, now),
    // Kept while the consent request it completed may be live: its row (unique consent id) is what
    // spends that request's consent verifier (deleting it earlier would let the verifier store it again).
    or(isNull(oauth2Grants.consentChallengeId), lt(oauth2Grants.requestedAt, requestCutoff)),
    or(
      not(oauth2Grants.remember),
      oauth2Grants.consentSkipped,
      and(isNotNull(oauth2Grants.rememberUntil), lt(oauth2Grants.rememberUntil, now)),
      superseded,
    ),
  );
  const retention = Math.max(cfg.ttl.id_token, cfg.ttl.access_token);

  return {
    selfservice_flows: await deleteInBatches(
      ctx,
      selfserviceFlows,
      selfserviceFlows.id,
      lt(selfserviceFlows.expiresAt, flowCutoff),
      batch,
    ),
    // Stored browser errors (GET /self-service/errors?id=) are only read on the error page right after.
    selfservice_errors: await deleteInBatches(
      ctx,
      selfserviceErrors,
      selfserviceErrors.id,
      lt(selfserviceErrors.createdAt, flowCutoff),
      batch,
    ),
    oauth2_grants: await deleteInBatches(ctx, oauth2Grants, oauth2Grants.id, grantDead, batch),
    oauth2_login_sessions: await deleteInBatches(
      ctx,
      oauth2LoginSessions,
      oauth2LoginSessions.id,
      // Kept while the login request that stored it may be live: its row is what spends that
      // request's login verifier (deleting it earlier would let the verifier store it again).
      and(lt(oauth2LoginSessions.expiresAt, now), lt(oauth2LoginSessions.authenticatedAt, requestCutoff)),
      batch,
    ),
    oauth2_handled_requests: await deleteInBatches(
      ctx,
      oauth2HandledRequests,
      oauth2HandledRequests.id,
      lt(oauth2HandledRequests.expiresAt, now),
      batch,
    ),
    // A device request is useless once expired (its grant, if any, lives on in oauth2_grants).
    oauth2_device_requests: await deleteInBatches(
      ctx,
      oauth2DeviceRequests,
      oauth2DeviceRequests.id,
      lt(oauth2DeviceRequests.expiresAt, now),
      batch,
    ),
    // A jti is needed only while its assertion could still be accepted.
    oauth2_jtis: await deleteInBatches(ctx, oauth2Jtis, oauth2Jtis.id, lt(oauth2Jtis.expiresAt, now), batch),
    oauth2_jwks: (
      await ctx.db
        .delete(oauth2Jwks)
        .where(lt(oauth2Jwks.retiredAt, new Date(now.getTime() - retention)))
        .returning({ kid: oauth2Jwks.kid })
    ).length,
  };
}

/** Runs the janitor every `oauth2.janitor.interval` (registered in app/server.ts startHooks). */
export async function janitorStartHook(ctx: AppContext): Promise<{ stop(): Promise<void> } | undefined> {
  const cfg = ctx.config.oauth2.janitor;
  if (!cfg.enabled) return undefined;
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = runJanitorOnce(ctx)
      .then((report) => {
        if (Object.values(report).some((n) => n > 0))
          ctx.log.info("janitor deleted expired rows", { ...report });
      })
      .catch((e: unknown) => ctx.log.error("janitor pass failed", { error: String(e) }))
      .finally(() => {
        running = undefined;
      });
  }, cfg.interval);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
