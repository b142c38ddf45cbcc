import { ActionButton } from "@/components/action-button";
import { formatTime } from "@/components/ui";

/*
 * The keys of an identity's `passkey` or `webauthn` credential (the admin API's config with
 * include_credential): name, when added and last used, and a per-key Remove that asks the core to
 * delete just that key (`?identifier=<hex id>`, audited there).
 */

export interface WebAuthnKeyView {
  id: string;
  name: string;
  addedAt?: string;
  lastUsedAt?: string;
}

/** The keys of a credential's config, in the shape Kratos stores them (ids are base64). */
export function webauthnKeys(config: unknown): WebAuthnKeyView[] {
  const list = (config as { credentials?: unknown } | undefined)?.credentials;
  if (!Array.isArray(list)) return [];
  return list.flatMap((k) => {
    const key = k as { id?: unknown; display_name?: unknown; added_at?: unknown; last_used_at?: unknown };
    if (typeof key.id !== "string") return [];
    return [
      {
        id: Buffer.from(key.id, "base64").toString("hex"),
        name: typeof key.display_name === "string" && key.display_name ? key.display_name : "unnamed",
        addedAt: typeof key.added_at === "string" ? key.added_at : undefined,
        lastUsedAt: typeof key.last_used_at === "string" ? key.last_used_at : undefined,
      },
    ];
  });
}

export function WebAuthnKeys(props: {
  identityId: string;
  type: "passkey" | "webauthn";
  config: unknown;
  owner: string;
  canWrite: boolean;
  disabledReason?: string;
}) {
  const keys = webauthnKeys(props.config);
  if (!keys.length) return <span className="small muted">—</span>;
  const noun = props.type === "passkey" ? "passkey" : "security key";
  return (
    <ul
      className="small"
      style={{ listStyle: "none", padding: 0, margin: 0 }}
      aria-label={`${props.type} keys`}
    >
      {keys.map((k) => (
        <li key={k.id} data-testid={`webauthn-key-${k.id}`}>
          <strong>{k.name}</strong> · added {k.addedAt ? formatTime(k.addedAt) : "—"} · last used{" "}
          {k.lastUsedAt ? formatTime(k.lastUsedAt) : "never"}
          {props.canWrite && (
            <>
              {" "}
              <ActionButton
                small
                label="Remove"
                title={`Remove the ${noun} "${k.name}" of ${props.owner}?`}
                description={<p>The key stops working at once; the identity's other credentials are kept.</p>}
                method="DELETE"
                url={`/api/identities/${props.identityId}/credentials/${props.type}?identifier=${k.id}`}
                danger
                disabledReason={props.disabledReason}
              />
            </>
          )}
        </li>
      ))}
    </ul>
  );
}
