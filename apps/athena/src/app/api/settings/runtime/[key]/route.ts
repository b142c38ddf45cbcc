import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { deleteVault, LIVE_KEYS, putVault } from "@/lib/core/security";

export const dynamic = "force-dynamic";
type P = { key: string };

const body = z.object({
  value: z.union([z.boolean(), z.number(), z.string().max(1024)]),
});

function liveKey(key: string): string {
  if (!(LIVE_KEYS as readonly string[]).includes(key)) {
    throw new HttpError(404, "not_found", "No run-time setting with this key.");
  }
  return key;
}

/**
 * Sets a run-time setting (`{value}`). The core checks the value against the key's type and range and
 * answers 400 with the reason otherwise; it stores the captcha secret encrypted and audits the change.
 */
export const PUT = route<P>("write", async ({ req, params }) => {
  const key = liveKey(params.key);
  const { value } = await jsonBody(req, body);
  const row = await putVault(key, { value, category: key.split(".")[0]! });
  return ok({ key: row.key, secret: row.secret });
});

/** Removes the vault's value: the setting goes back to the configuration file's value. */
export const DELETE = route<P>("write", async ({ params }) => {
  await deleteVault(liveKey(params.key));
  return ok();
});
