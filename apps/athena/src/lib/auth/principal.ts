import { ROLES, type Role } from "../session/seal";

/** What Athena needs to know about an administrator, as IAM has it now. */
export interface IamPrincipal {
  role: Role | undefined;
  active: boolean;
  email?: string;
  name?: string;
}

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/**
 * An IAM identity (admin API shape) as an Athena principal. The role comes from
 * `metadata_admin.role` only: traits are written by their owner through self-service settings, so a
 * `role` trait (schemas before issue 16 had one) grants nothing.
 */
export function principalOf(identity: unknown): IamPrincipal {
  const i = obj(identity);
  const traits = obj(i.traits);
  const meta = obj(i.metadata_admin);
  const role = (ROLES as readonly unknown[]).includes(meta.role) ? (meta.role as Role) : undefined;
  const n = traits.name as { first?: string; last?: string } | string | undefined;
  const name = typeof n === "string" ? n : [n?.first, n?.last].filter(Boolean).join(" ");
  return {
    role,
    active: i.state !== "inactive",
    ...(typeof traits.email === "string" ? { email: traits.email } : {}),
    ...(name ? { name } : {}),
  };
}
