import type { ClientRecord } from "../clients/model.ts";
import {
  DEVICE_CODE_GRANT,
  findDeviceRequestByCode,
  recordPoll,
  redeemDeviceRequest,
} from "../device/requests.ts";
import { OAuth2Error } from "../errors.ts";
import { findGrantById, issueFirstTokens, revokeGrantTokens } from "../grants.ts";
import type { OAuth2 } from "../runtime.ts";
import { prepareTokens, tokenResponse, wantsRefreshToken, type TokenRequestContext } from "./issue.ts";
import { parseToken } from "./tokens.ts";

const invalidGrant = (hint: string) => new OAuth2Error("invalid_grant", hint);

/**
 * grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4): the device polls with its
 * device code. Too early after the last poll: `slow_down` (and the interval grows by 5 s); not yet
 * approved: `authorization_pending`; refused: `access_denied`; expired: `expired_token`. Once the
 * user consented, the first poll redeems the request (one conditional UPDATE) and gets the tokens
 * (with an ID token when `openid` was granted); a device code presented after that revokes them, as a
 * replayed authorization code does.
 */
export async function deviceCodeGrant(
  o2: OAuth2,
  client: ClientRecord,
  form: URLSearchParams,
  { dpop }: TokenRequestContext = {},
): Promise<Record<string, unknown>> {
  if (!client.data.grant_types.includes(DEVICE_CODE_GRANT)) {
    throw new OAuth2Error(
      "unauthorized_client",
      `The client is not allowed to use authorization grant '${DEVICE_CODE_GRANT}'.`,
    );
  }
  const deviceCode = form.get("device_code");
  if (!deviceCode) throw new OAuth2Error("invalid_request", "The 'device_code' parameter is missing.");
  if (!parseToken(o2, "ory_dc_", deviceCode)) {
    throw invalidGrant("The device code is malformed or was not issued by this server.");
  }
  const row = await findDeviceRequestByCode(o2, deviceCode);
  if (!row) throw invalidGrant("The device code is unknown or has expired.");
  if (row.clientId !== client.id) {
    throw invalidGrant("The device code was issued to another OAuth 2.0 Client.");
  }
  if (row.redeemedAt) {
    if (row.grantId) await revokeGrantTokens(o2.ctx.db, row.grantId);
    o2.ctx.log.warn("device code replayed; its tokens were revoked", { device_request: row.id });
    throw invalidGrant("The device code has already been used.");
  }
  if (row.expiresAt <= new Date()) throw new OAuth2Error("expired_token");

  const tooFast = row.lastPolledAt !== null && Date.now() - row.lastPolledAt.getTime() < row.intervalS * 1000;
  const recorded = await recordPoll(o2.ctx.db, row, tooFast);
  if (tooFast || !recorded) {
    throw new OAuth2Error("slow_down", `Poll at most every ${row.intervalS + (tooFast ? 5 : 0)} seconds.`);
  }
  if (row.deniedAt) {
    // RFC 6749 §5.2: token endpoint errors are 400.
    throw new OAuth2Error("access_denied", "The user refused to authorize the device.", { status: 400 });
  }
  if (!row.grantId) throw new OAuth2Error("authorization_pending");

  const grant = await findGrantById(o2.ctx.db, row.grantId);
  if (!grant || grant.tokensRevokedAt) throw invalidGrant("The device authorization was revoked.");
  if (!(await redeemDeviceRequest(o2.ctx.db, row.id))) {
    await revokeGrantTokens(o2.ctx.db, grant.id);
    throw invalidGrant("The device code has already been used.");
  }
  const scope = grant.grantedScope;
  const tokens = await prepareTokens(o2, client, grant, {
    scope,
    refresh: wantsRefreshToken(client, scope),
    generation: 0,
    via: "device_authorization",
    jkt: dpop?.jkt,
  });
  const issued = await issueFirstTokens(o2.ctx.db, grant.id, tokens.set);
  if (!issued) throw invalidGrant("The device code has already been used.");
  return tokenResponse(o2, issued, tokens, { idToken: true, nonce: false });
}
