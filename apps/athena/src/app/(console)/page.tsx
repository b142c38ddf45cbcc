import type { Metadata } from "next";
import Link from "next/link";
import { BarChart, Meters, Ring } from "@/components/charts";
import { ErrorState, PageHeader } from "@/components/ui";
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
}: {
  label: string;
  value: string | number;
  href?: string;
  hint?: string;
}) {
  const body = (
    <>
      <div className="figure-label">{label}</div>
      <div className="figure">{value}</div>
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

export default async function Dashboard() {
  const { domain } = athenaEnv();
  const { stats, clients } = await dashboardFigures();
  return (
    <div className="stack">
      <PageHeader
        title="Dashboard"
        description={`What is happening in the ${domain.toUpperCase()} domain.`}
      />
      {!stats.ok ? (
        <ErrorState error={stats.error} what="the identity figures" />
      ) : (
        (() => {
          const s = stats.value;
          const days = lastDays(s.identities.new_per_day ?? []);
          const newIn30 = days.reduce((a, d) => a + d.value, 0);
          const v = s.verification;
          const security = s.security;
          return (
            <>
              <div className="grid-4">
                <Figure
                  label="Identities"
                  value={s.identities.total}
                  href="/identities"
                  hint={`${s.identities.by_state.inactive} inactive`}
                />
                <Figure label="New in 30 days" value={newIn30} />
                <Figure label="Active sessions" value={s.sessions.active} href="/sessions" />
                <Figure
                  label="Emails"
                  value={s.courier.sent}
                  href="/messages"
                  hint={`${s.courier.queued} queued · ${s.courier.abandoned} abandoned`}
                />
              </div>
              <div className="grid-wide">
                <div className="card">
                  <h2>New identities per day</h2>
                  <BarChart
                    data={days}
                    title="New identities per day, last 30 days"
                    valueLabel="new identities"
                  />
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
              {security?.logins_per_day && (
                <div className="card">
                  <h2>Sign-ins per day</h2>
                  <div className="legend">
                    <span>
                      <i style={{ background: "var(--accent)" }} /> succeeded
                    </span>
                    <span>
                      <i style={{ background: "var(--danger)" }} /> failed
                    </span>
                  </div>
                  <BarChart
                    data={security.logins_per_day.map((d) => ({
                      label: d.date.slice(0, 10),
                      value: d.succeeded,
                      extra: d.failed,
                    }))}
                    title="Sign-ins per day"
                    valueLabel="succeeded"
                    extraLabel="failed"
                  />
                </div>
              )}
              {security?.lockouts && <Figure label="Locked accounts" value={security.lockouts.active} />}
            </>
          );
        })()
      )}
      {!clients.ok ? (
        <ErrorState error={clients.error} what="the OAuth2 clients" />
      ) : (
        <div className="grid-2">
          <div className="card">
            <h2>OAuth2 clients by type</h2>
            <div className="row" style={{ gap: "1rem" }}>
              <Ring value={clients.value.public} total={clients.value.total} label="Public clients" />
              <dl className="props small">
                <dt>Total</dt>
                <dd>
                  <Link href="/clients">{clients.value.total}</Link>
                </dd>
                <dt>Public (PKCE)</dt>
                <dd>{clients.value.public}</dd>
                <dt>Confidential</dt>
                <dd>{clients.value.confidential}</dd>
              </dl>
            </div>
          </div>
          <div className="card">
            <h2>Clients by grant type</h2>
            {Object.keys(clients.value.byGrant).length ? (
              <Meters
                items={Object.entries(clients.value.byGrant).map(([label, value]) => ({ label, value }))}
              />
            ) : (
              <p className="muted">No clients registered yet.</p>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
