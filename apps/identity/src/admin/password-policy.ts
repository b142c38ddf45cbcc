import type { Hono } from "hono";
import { z } from "zod";
import type { AppContext } from "../app/context.ts";
import { checkPassword, passwordRules } from "../selfservice/password/policy.ts";
import { describeIssue, readJson } from "./identities/input.ts";
import { badRequest } from "../errors/index.ts";

const checkBody = z
  .object({
    password: z.string().max(8192),
    identifiers: z.array(z.string().max(512)).max(20).optional(),
  })
  .strict();

/**
 * Olympus-only: the core is the authority on the password policy. Hera shows its rules before submit
 * and Athena checks the passwords administrators set against it, instead of keeping their own.
 */
export function registerPasswordPolicyRoutes(admin: Hono, ctx: AppContext): void {
  admin.get("/olympus/password-policy", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(passwordRules(ctx));
  });

  admin.post("/olympus/password-policy/check", async (c) => {
    const parsed = checkBody.safeParse(await readJson(c));
    if (!parsed.success) throw badRequest(describeIssue(parsed.error.issues[0]!));
    const { password, identifiers = [] } = parsed.data;
    // No flow: a breached password is refused here even in `warn` mode (an administrator sets it).
    const message = await checkPassword(ctx, password, identifiers);
    c.header("Cache-Control", "no-store");
    return c.json({ valid: !message, messages: message ? [message] : [] });
  });
}
