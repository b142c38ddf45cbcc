import Link from "next/link";
import type { LockRow } from "@/lib/core/security";
import { ActionButton } from "../action-button";
import { EmptyState, formatTime } from "../ui";

const KIND: Record<LockRow["type"], string> = {
  identifier: "identifier",
  ip: "IP address",
  aal2: "second factor",
};

/** Remaining lock time in whole minutes, at render time. */
function remaining(until: string | null, now: number): string {
  if (!until) return "";
  const ms = new Date(until).getTime() - now;
  if (!(ms > 0)) return "expired";
  const minutes = Math.ceil(ms / 60_000);
  return `${minutes} min left`;
}

/** Active sign-in locks, with Unlock for admins. */
export function LocksTable({ rows, canWrite, now }: { rows: LockRow[]; canWrite: boolean; now: number }) {
  if (!rows.length)
    return <EmptyState title="No active locks">Nobody is locked out of signing in right now.</EmptyState>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Active sign-in locks</caption>
        <thead>
          <tr>
            <th scope="col">Locked</th>
            <th scope="col">Kind</th>
            <th scope="col">Failures</th>
            <th scope="col" className="hide-sm">
              Last address
            </th>
            <th scope="col">Locked until</th>
            {canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((l) => (
            <tr key={`${l.type}:${l.identifier}`} data-testid="lock-row">
              <td>
                {l.identityId ? (
                  <Link href={`/identities/${l.identityId}`}>{l.identifier}</Link>
                ) : (
                  <span className="mono">{l.identifier}</span>
                )}
              </td>
              <td>
                <span className="badge warn">{KIND[l.type]}</span>
              </td>
              <td>{l.attempts}</td>
              <td className="hide-sm small mono">{l.lastIp ?? "—"}</td>
              <td className="small">
                {formatTime(l.lockedUntil)}
                <div className="muted">{remaining(l.lockedUntil, now)}</div>
              </td>
              {canWrite && (
                <td>
                  <ActionButton
                    small
                    label="Unlock"
                    title={`Unlock ${l.identifier}?`}
                    description={
                      <p>
                        The {KIND[l.type]} <strong>{l.identifier}</strong> can sign in again at once and its
                        failed attempts are forgotten. The audit log records that you did it.
                      </p>
                    }
                    method="DELETE"
                    url={`/api/security/lockouts/${encodeURIComponent(l.identifier)}?type=${l.type}`}
                    done="Unlocked."
                  />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
