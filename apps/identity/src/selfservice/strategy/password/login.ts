import { eq } from "drizzle-orm";
import { identityCredentials } from "../../../db/schema.ts";
import { loadIdentityByIdentifier } from "../../../identity/repository.ts";
import { normalizeIdentifier } from "../../../identity/schemas.ts";
import { lockedMessage } from "../../../security/lockout.ts";
import { str } from "../../flow/common.ts";
import { text, type UiText } from "../../flow/text.ts";
import { identifierLabel } from "../../flow/traits.ts";
import { inputNode } from "../../flow/ui.ts";
import { auditEvent, bruteForceGuard, captchaGuard } from "../../guards/index.ts";
import type { LoginStrategy } from "../types.ts";

/**
 * Password sign-in: `identifier` + `password`. Captcha and brute-force protection run before the
 * password is checked; an unknown identifier costs one hash too, so timing does not reveal which
 * accounts exist. A hash with outdated parameters is replaced after a successful check.
 */
export const passwordLogin: LoginStrategy = {
  id: "password",
  group: "password",
  aal: "aal1",
  amr: "pwd",

  nodes(flow, { ctx, identity }) {
    // A refresh flow offers the signed-in identity's identifier.
    const identifier =
      flow.data.refresh && identity
        ? (identity.credentials.find((cr) => cr.type === "password")?.identifiers[0] ?? "")
        : "";
    return [
      inputNode("default", "identifier", "text", {
        value: identifier,
        required: true,
        autocomplete: "username webauthn",
        label: identifierLabel(ctx.schemas.default),
      }),
      inputNode("password", "password", "password", {
        required: true,
        autocomplete: "current-password",
        label: text.labelPassword(),
      }),
      inputNode("password", "method", "submit", { value: "password", label: text.loginPassword() }),
    ];
  },

  async submit(_flow, body, env) {
    const { ctx } = env;
    const identifierRaw = str(body, "identifier");
    const password = str(body, "password") ?? "";
    const missing: [string, UiText][] = [];
    if (!identifierRaw?.trim()) missing.push(["identifier", text.validationRequired("identifier")]);
    if (!password) missing.push(["password", text.validationRequired("password")]);
    if (missing.length) return { type: "failed", fields: missing };
    const identifier = normalizeIdentifier(identifierRaw!);
    if (identifier.length > 512 || password.length > 4096) {
      return { type: "failed", messages: [text.invalidCredentials()] };
    }

    const captcha = await captchaGuard(env, "login", body);
    if (captcha) return { type: "failed", messages: [captcha] };
    // A locked identifier (or address) is refused before any password check.
    const attempt = await bruteForceGuard(env, "identifier", identifier);
    if (attempt.locked) {
      await auditEvent(env, {
        event: "login.failed",
        actor: "anonymous",
        target: identifier,
        metadata: { method: "password", reason: "locked" },
      });
      return { type: "failed", messages: [lockedMessage(attempt.locked)], locked: attempt.locked };
    }

    // The owner with everything it has, in one read: the credential to check and the identity to sign in.
    const owner = await loadIdentityByIdentifier(ctx.db, "password", identifier);
    const cred = owner?.full.credentials.find((cr) => cr.id === owner.credentialId);
    const hash = typeof cred?.config.hashed_password === "string" ? cred.config.hashed_password : undefined;
    let ok = false;
    if (hash) ok = await ctx.hasher.verify(password, hash);
    else await ctx.hasher.burn(password);
    if (!ok || !owner) {
      const identityId = owner?.full.identity.id;
      await attempt.failed(identityId);
      await auditEvent(env, {
        event: "login.failed",
        actor: "anonymous",
        target: identityId ?? identifier,
        metadata: { method: "password", reason: "invalid_credentials", identifier },
      });
      return { type: "failed", messages: [text.invalidCredentials()] };
    }
    const identity = owner.full;
    await attempt.succeeded(identity.identity.id);
    if (identity.identity.state !== "active") return { type: "failed", messages: [text.accountDisabled()] };
    if (ctx.config.selfservice.flows.login.require_verified_address) {
      const verified =
        identity.verifiable.some((a) => a.verified && a.value === identifier) ||
        (identity.verifiable.some((a) => a.verified) &&
          !identity.verifiable.some((a) => a.value === identifier));
      if (!verified) return { type: "failed", messages: [text.addressNotVerified()] };
    }
    if (ctx.hasher.needsRehash(hash!)) {
      const rehashed = await ctx.hasher.hash(password);
      await ctx.db
        .update(identityCredentials)
        .set({ config: { ...cred!.config, hashed_password: rehashed }, updatedAt: new Date() })
        .where(eq(identityCredentials.id, cred!.id));
    }
    return { type: "authenticated", identity, method: { method: "password", aal: "aal1" } };
  },
};
