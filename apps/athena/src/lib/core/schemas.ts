import "server-only";
import { core } from "./clients";

export interface SchemaInfo {
  id: string;
  /** New identities get it when none is named (known when the core has the schemas API). */
  isDefault?: boolean;
  /** "config": the core's configuration file; "api": added at run time. */
  source?: "config" | "api";
  title: string;
  schema: Record<string, unknown>;
  /** The `traits` object schema, which the identity form renders. */
  traits: Record<string, unknown>;
}

/** The domain's identity schemas (GET /schemas), with their traits extracted. */
export async function listSchemas(): Promise<SchemaInfo[]> {
  const containers = await core().identity.listIdentitySchemas({ pageSize: 250 });
  return containers.map((c) => {
    const schema = (c.schema ?? {}) as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, unknown>;
    const traits = (props.traits ?? { type: "object", properties: {} }) as Record<string, unknown>;
    return {
      id: c.id ?? "",
      title: typeof schema.title === "string" ? schema.title : (c.id ?? ""),
      schema,
      traits,
    };
  });
}

/**
 * The schemas with their default and origin, from the core's Olympus schemas API; falls back to the
 * Kratos list when the core has no such API.
 */
export async function listManagedSchemas(): Promise<SchemaInfo[]> {
  const managed = await core().olympus.identitySchemas();
  return managed.map((m) => {
    const props = (m.schema.properties ?? {}) as Record<string, unknown>;
    return {
      id: m.id,
      isDefault: m.default,
      source: m.source,
      title: typeof m.schema.title === "string" ? m.schema.title : m.id,
      schema: m.schema,
      traits: (props.traits ?? { type: "object", properties: {} }) as Record<string, unknown>,
    };
  });
}

/** Adds a schema version under a new id; the core checks it and audits the addition. */
export async function addSchema(id: string, schema: Record<string, unknown>): Promise<void> {
  await core().olympus.addIdentitySchema(id, schema);
}

/** Makes `id` the default schema; the core audits it. */
export async function setDefaultSchema(id: string): Promise<void> {
  await core().olympus.setDefaultIdentitySchema(id);
}
