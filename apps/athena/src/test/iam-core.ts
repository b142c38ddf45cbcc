import { fileURLToPath } from "node:url";
import { startTestCore, type TestCore } from "@olympus/identity/testing";
import { NextRequest } from "next/server";
import { type Role, SESSION_COOKIE, sealSession } from "@/lib/session/seal";

/*
 * A real Olympus IAM core (PostgreSQL with TEST_DATABASE_URL, else PGlite) with the shipped `admin`
 * schema, and Athena's environment pointed at it, for route tests: the role every guard checks is
 * read from this core's admin API, as in production.
 */

export const ATHENA = "http://localhost:4001";
export const SECRET = "athena-route-test-secret-32-bytes-at-least";
export const PASSWORD = "a-long-test-password-for-athena";

export interface IamHarness {
  core: TestCore;
  /** Creates an IAM identity (admin schema) through the admin API; returns its id. */
  createIdentity(email: string, extra?: Record<string, unknown>): Promise<string>;
  /** An `athena-session` cookie value for an identity (the role sealed in it is only what sign-in saw). */
  cookieFor(sub: string, email: string, role: Role): Promise<string>;
  /** Reads an identity through the admin API. */
  identity(id: string): Promise<{ traits?: unknown; metadata_admin?: unknown; [k: string]: unknown }>;
  stop(): Promise<void>;
}

export async function startIam(env: Record<string, string> = {}): Promise<IamHarness> {
  const core = await startTestCore({
    overrides: {
      domain: "iam",
      identity: {
        default_schema_id: "admin",
        schemas: [
          {
            id: "admin",
            url: fileURLToPath(new URL("../../../../seeds/iam/schemas/admin.schema.json", import.meta.url)),
          },
        ],
      },
    },
  });
  Object.assign(process.env, {
    OLYMPUS_DOMAIN: "iam",
    ATHENA_PUBLIC_URL: ATHENA,
    ATHENA_SESSION_SECRET: SECRET,
    IAM_KRATOS_ADMIN_URL: core.adminUrl,
    KRATOS_ADMIN_URL: core.adminUrl,
    KRATOS_PUBLIC_URL: core.publicUrl,
    HYDRA_ADMIN_URL: core.oauth2AdminUrl,
    HYDRA_PUBLIC_URL: core.oauth2PublicUrl,
    AUTH_ISSUER_URL: core.oauth2PublicUrl,
    ...env,
  });
  return {
    core,
    async createIdentity(email, extra = {}) {
      const res = await fetch(`${core.adminUrl}/admin/identities`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          schema_id: "admin",
          traits: { email },
          credentials: { password: { config: { password: PASSWORD } } },
          ...extra,
        }),
      });
      if (res.status !== 201) throw new Error(`creating ${email}: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    cookieFor: (sub, email, role) =>
      sealSession(
        { sub, email, name: email, role, iss: core.oauth2PublicUrl },
        { secret: SECRET, domain: "iam" },
      ),
    async identity(id) {
      const res = await fetch(`${core.adminUrl}/admin/identities/${id}`);
      return (await res.json()) as { traits?: unknown; metadata_admin?: unknown };
    },
    stop: () => core.stop(),
  };
}

/** A request to one of Athena's API routes from Athena's own origin, carrying a session cookie. */
export function apiRequest(
  method: string,
  path: string,
  cookie: string | undefined,
  body?: unknown,
): NextRequest {
  return new NextRequest(`${ATHENA}${path}`, {
    method,
    headers: {
      origin: ATHENA,
      ...(cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}
