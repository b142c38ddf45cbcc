import "server-only";
import { core } from "./clients";

export interface SchemaInfo {
  id: string;
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
