import type { OlympusStats } from "@olympus/sdk";
import type { Metadata } from "next";
import Link from "next/link";
import { BarChart, Meters, Ring } from "@/components/charts";
import { EmptyState, ErrorState, PageHeader } from "@/components/ui";
import { dashboardFigures } from "@/lib/core/stats";
import { athenaEnv } from "@/lib/env";

export const metadata: Metadata = { title: "Dashboard" };

/** Fills missing days with 0 so the chart's x-axis is the calendar, last 30 days. */
function lastDays(series: { date: string; count: number }[], days = 30) {
  const byDate = new Map(series.map((p) => [p.date.slice(0, 10), p.count]));
  const out = [];
  const today = new Date();
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i))
      .toISOString()
      .slice(0, 10);
    out.push({ label: d, value: byDate.get(d) ?? 0 });
  }
  return out;
}

function Figure({
  label,
  value,
  href,
  hint,
  id,
}: {
  label: string;
  value: string | number;
  href?: string;
  hint?: string;
  /** Names the figure for tests: `data-testid="figure-<id>"` on its value. */
  id?: string;
}) {
  const body = (
    <>
      <div className="figure-label">{label}</div>
      <div className="figure" data-testid={id ? `figure-${id}` : undefined}>
        {value}
      </div>
      {hint && <div className="small muted">{hint}</div>}
    </>
  );
  return (
    <div className="card">
      {href ? (
        <Link href={href} style={{ color: "inherit", textDecoration: "none" }}>
          {body}
        </Link>
      ) : (
        body
      )}
    </div>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export default async function Dashboard() {
  const { domain } = athenaEnv();
  const { stats } = await dashboardFigures();
  return (
    <div className="stack">
      <PageHeader
        title="Dashboard"
        description={`What is happening in the ${domain.toUpperCase()} domain.`}
      />
      {!stats.ok ? (
        <ErrorState error={stats.error} what="the dashboard figures" />
      ) : (
        <Figures s={stats.value} />
      )}
    </div>
  );
}

function Figures({ s }: { s: OlympusStats }) {
  const days = lastDays(s.identities.new_per_day);
  const newIn30 = days.reduce((a, d) => a + d.value, 0);
  const v = s.verification;
  const logins = s.security.logins_per_day;
  const succeeded = logins.reduce((a, d) => a + d.succeeded, 0);
  const failed = logins.reduce((a, d) => a + d.failed, 0);
  const locks = s.security.lockouts;
  const clients = s.oauth2_clients;
  const grants = Object.entries(clients.by_grant_type).sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  return (
    <>
      <div className="grid-4">
        <Figure
          label="Identities"
          value={s.identities.total}
          href="/identities"
          hint={`${s.identities.by_state.inactive} inactive`}
          id="identities"
        />
        <Figure label="New in 30 days" value={newIn30} id="new-identities" />
        <Figure label="Active sessions" value={s.sessions.active} href="/sessions" id="active-sessions" />
        <Figure
          label="Emails"
          value={s.courier.sent}
          href="/messages"
          hint={`${s.courier.queued} queued · ${s.courier.abandoned} abandoned`}
          id="emails"
        />
      </div>
      <div className="grid-wide">
        <div className="card">
          <h2>New identities per day</h2>
          <BarChart data={days} title="New identities per day, last 30 days" valueLabel="new identities" />
        </div>
        <div className="card">
          <h2>Verified addresses</h2>
          <div className="row" style={{ gap: "1rem" }}>
            <Ring value={v.verified} total={v.total} label="Verification rate" />
            <div className="small">
              <strong>{v.verified}</strong> of <strong>{v.total}</strong> addresses verified
            </div>
          </div>
        </div>
      </div>
      <div className="grid-4">
        <Figure label="Sign-ins in 30 days" value={succeeded} hint="completed sign-ins" id="sign-ins" />
        <Figure
          label="Failed sign-ins in 30 days"
          value={failed}
          hint="wrong password, unknown or locked identifier"
          href="/security"
          id="failed-sign-ins"
        />
        <Figure
          label="Locked now"
          value={locks.active}
          href="/security"
          hint={`${plural(locks.by_type.identifier, "identifier")} · ${plural(locks.by_type.ip, "address", "addresses")} · ${plural(locks.by_type.aal2, "second factor")}`}
          id="lockouts"
        />
        <Figure
          label="OAuth2 clients"
          value={clients.total}
          href="/clients"
          hint={`${clients.public} public · ${clients.confidential} confidential`}
          id="clients"
        />
      </div>
      <div className="card">
        <h2>Sign-ins per day</h2>
        {succeeded + failed === 0 ? (
          <EmptyState title="No sign-ins in the last 30 days.">
            <p className="muted small">Completed and failed sign-ins appear here as they happen.</p>
          </EmptyState>
        ) : (
          <>
            <div className="legend">
              <span>
                <i style={{ background: "var(--accent)" }} /> succeeded
              </span>
              <span>
                <i style={{ background: "var(--danger)" }} /> failed
              </span>
            </div>
            <BarChart
              data={logins.map((d) => ({ label: d.date, value: d.succeeded, extra: d.failed }))}
              title="Sign-ins per day, last 30 days"
              valueLabel="succeeded"
              extraLabel="failed"
            />
          </>
        )}
      </div>
      <div className="grid-2">
        <div className="card">
          <h2>OAuth2 clients by type</h2>
          {clients.total === 0 ? (
            <EmptyState title="No clients registered yet.">
              <Link href="/clients">Register a client</Link>
            </EmptyState>
          ) : (
            <div className="row" style={{ gap: "1rem" }}>
              <Ring value={clients.public} total={clients.total} label="Public clients" />
              <dl className="props small">
                <dt>Total</dt>
                <dd>
                  <Link href="/clients">{clients.total}</Link>
                </dd>
                <dt>Public (PKCE)</dt>
                <dd data-testid="clients-public">{clients.public}</dd>
                <dt>Confidential</dt>
                <dd data-testid="clients-confidential">{clients.confidential}</dd>
              </dl>
            </div>
          )}
        </div>
        <div className="card">
          <h2>Clients by grant type</h2>
          {grants.length ? (
            <Meters items={grants.map(([label, value]) => ({ label, value }))} />
          ) : (
            <p className="muted">No clients registered yet.</p>
          )}
        </div>
      </div>
    </>
  );
}
