import type { Hono } from "hono";
import { z } from "zod";
import { badRequest, notFound } from "../../errors/index.ts";
import { DEVICE_VERIFY_PATH } from "../authorize/request.ts";
import { spendUserCode } from "../device/requests.ts";
import { readJson } from "../http.ts";
import { type OAuth2, publicUrl } from "../runtime.ts";
import { isExpired, openFlow, RequestGone, sealFlow } from "./challenge.ts";
import { parseBody, withParam } from "./login.ts";

const acceptDeviceBody = z.object({ user_code: z.string().max(64).optional() });

/**
 * PUT /admin/oauth2/auth/requests/device/accept?device_challenge= (Hydra's acceptUserCodeRequest):
 * the user-code page hands over the code the user typed. The code is spent at once (one conditional
 * UPDATE), so a code works in one browser only; the answer sends the browser on to login and consent.
 */
export async function acceptUserCode(o2: OAuth2, challenge: string, userCode: string): Promise<string> {
  const ch = await openFlow(o2, "device_challenge", challenge);
  if (!ch) throw notFound("The device challenge is invalid.");
  const restart = publicUrl(o2, DEVICE_VERIFY_PATH);
  if (isExpired(o2, ch.requested_at)) throw new RequestGone(restart);
  const row = await spendUserCode(o2, userCode);
  if (!row) throw badRequest("The user code is invalid, has expired or was already used.");
  const verifier = await sealFlow(o2, "device_verifier", { ...ch, device_request_id: row.id });
  return withParam(restart, "device_verifier", verifier);
}

export function registerDeviceRequestRoutes(admin: Hono, o2: OAuth2): void {
  admin.put("/oauth2/auth/requests/device/accept", async (c) => {
    const challenge = c.req.query("device_challenge") ?? c.req.query("challenge");
    if (!challenge) throw badRequest("The query parameter 'device_challenge' is missing.");
    const body = parseBody(acceptDeviceBody, await readJson(c));
    if (!body.user_code) throw badRequest("Field 'user_code' must not be empty.");
    return c.json({ redirect_to: await acceptUserCode(o2, challenge, body.user_code) });
  });
}
