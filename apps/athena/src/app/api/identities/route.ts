import { z } from "zod";
import { HttpError, jsonBody, ok, route } from "@/lib/api";
import { core } from "@/lib/core/clients";
import { findIdentities } from "@/lib/core/identities";
import { athenaEnv } from "@/lib/env";
import { assertPasswordAccepted } from "@/lib/core/password-policy";
import { ROLES } from "@/lib/session/seal";

export const dynamic = "force-dynamic";

/** Lists or searches identities (see findIdentities). */
export const GET = route("read", async ({ req }) => {
  const p = req.nextUrl.searchParams;
  const state = p.get("state");
  const page = await findIdentities({
    q: p.get("q") ?? undefined,
    schema: p.get("schema") || undefined,
    state: state === "active" || state === "inactive" ? state : undefined,
    pageToken: p.get("page_token") || undefined,
  });
  return ok(page);
});

const createBody = z.object({
  schema_id: z.string().min(1).max(128),
  traits: z.record(z.string(), z.unknown()),
  state: z.enum(["active", "inactive"]).default("active"),
  /** Checked by the core's password policy before the identity is created. */
  password: z.string().min(1).max(1024).optional(),
  verified: z.boolean().default(false),
  /** IAM only: the Athena role, kept in `metadata_admin.role` (never a trait its owner could rewrite). */
  role: z.enum(ROLES).optional(),
});

/** Creates an identity from a schema's traits, optionally with a password and a verified address. */
export const POST = route("write", async ({ req }) => {
  const body = await jsonBody(req, createBody);
  const email = typeof body.traits.email === "string" ? body.traits.email : undefined;
  if (body.role && athenaEnv().domain !== "iam") {
    throw new HttpError(400, "invalid_body", "role: Athena roles are given to IAM identities only.");
  }
  if (body.password) {
    const identifiers = Object.values(body.traits).filter((v): v is string => typeof v === "string");
    await assertPasswordAccepted(body.password, identifiers.slice(0, 20));
  }
  const identity = await core().identity.createIdentity({
    createIdentityBody: {
      schema_id: body.schema_id,
      traits: body.traits,
      state: body.state,
      ...(body.role ? { metadata_admin: { role: body.role } } : {}),
      ...(body.password ? { credentials: { password: { config: { password: body.password } } } } : {}),
      ...(body.verified && email
        ? { verifiable_addresses: [{ value: email, via: "email", verified: true, status: "completed" }] }
        : {}),
    },
  });
  return ok({ id: identity.id }, 201);
});
