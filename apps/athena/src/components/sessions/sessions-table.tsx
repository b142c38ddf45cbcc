import Link from "next/link";
import type { SessionRow } from "@/lib/core/sessions";
import { ActionButton } from "../action-button";
import { EmptyState, formatTime } from "../ui";

/** Sessions with revoke and extend for admins. */
export function SessionsTable({
  rows,
  canWrite,
  showIdentity = true,
}: {
  rows: SessionRow[];
  canWrite: boolean;
  showIdentity?: boolean;
}) {
  if (!rows.length)
    return (
      <EmptyState title="No sessions">
        Nobody is signed in{showIdentity ? "" : " with this identity"}.
      </EmptyState>
    );
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Sessions</caption>
        <thead>
          <tr>
            {showIdentity && <th scope="col">Identity</th>}
            <th scope="col">Status</th>
            <th scope="col">Signed in</th>
            <th scope="col">Expires</th>
            <th scope="col" className="hide-sm">
              Methods
            </th>
            <th scope="col" className="hide-sm">
              Device
            </th>
            {canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.id}>
              {showIdentity && (
                <td>
                  {s.identityId ? (
                    <Link href={`/identities/${s.identityId}`}>{s.identifier ?? s.identityId}</Link>
                  ) : (
                    "—"
                  )}
                  <div className="cell-id">{s.id}</div>
                </td>
              )}
              <td>
                <span className={`badge ${s.active ? "ok" : ""}`}>{s.active ? "active" : "ended"}</span>{" "}
                {s.aal && <span className="badge">{s.aal}</span>}
              </td>
              <td className="small">{formatTime(s.authenticatedAt)}</td>
              <td className="small">{formatTime(s.expiresAt)}</td>
              <td className="hide-sm small">{s.methods.join(", ") || "—"}</td>
              <td className="hide-sm small">
                <div data-testid="session-device">{s.device ?? (s.userAgent ? "Unknown device" : "—")}</div>
                {s.ip && <div className="mono">{s.ip}</div>}
                {s.userAgent && (
                  <div
                    className="muted"
                    style={{
                      maxWidth: "18rem",
                      overflow: "hidden",
                      textOverflow: "ellipsis",
                      whiteSpace: "nowrap",
                    }}
                    title={s.userAgent}
                  >
                    {s.userAgent}
                  </div>
                )}
              </td>
              {canWrite && (
                <td>
                  {s.active ? (
                    <span className="row">
                      <ActionButton
                        small
                        label="Revoke"
                        title="Revoke this session?"
                        description={
                          <p>
                            {s.identifier ?? "The identity"} is signed out on this device (
                            {s.ip ?? "unknown address"}). Other sessions are kept.
                          </p>
                        }
                        method="DELETE"
                        url={`/api/sessions/${s.id}`}
                        danger
                      />
                      <ActionButton
                        small
                        label="Extend"
                        title="Extend this session?"
                        description={
                          <p>
                            The session of {s.identifier ?? "this identity"} is renewed for the domain's full
                            session lifespan from now.
                          </p>
                        }
                        method="PATCH"
                        url={`/api/sessions/${s.id}`}
                      />
                    </span>
                  ) : (
                    <span className="muted small">—</span>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
