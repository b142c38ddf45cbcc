/** Small hand-made SVG charts: rendered on the server, no chart library and no client script. */

export interface Bar {
  label: string;
  value: number;
  /** A second series stacked on top (e.g. failures). */
  extra?: number;
}

/** A bar chart of a daily series; every bar has a <title> and the data is also in a hidden table. */
export function BarChart({
  data,
  title,
  extraLabel,
  valueLabel,
}: {
  data: Bar[];
  title: string;
  valueLabel: string;
  extraLabel?: string;
}) {
  const W = 560;
  const H = 180;
  const pad = { l: 28, r: 6, t: 8, b: 22 };
  const max = Math.max(1, ...data.map((d) => d.value + (d.extra ?? 0)));
  const innerW = W - pad.l - pad.r;
  const innerH = H - pad.t - pad.b;
  const step = data.length ? innerW / data.length : innerW;
  const bw = Math.max(2, step * 0.7);
  const y = (v: number) => pad.t + innerH - (v / max) * innerH;
  const every = Math.ceil(data.length / 8) || 1;
  return (
    <figure style={{ margin: 0 }}>
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <line className="axis" x1={pad.l} x2={W - pad.r} y1={pad.t + innerH} y2={pad.t + innerH} />
        <text x={pad.l - 4} y={pad.t + 8} textAnchor="end">
          {max}
        </text>
        <text x={pad.l - 4} y={pad.t + innerH} textAnchor="end">
          0
        </text>
        {data.map((d, i) => {
          const x = pad.l + i * step + (step - bw) / 2;
          return (
            <g key={d.label}>
              <rect
                className="bar"
                x={x}
                y={y(d.value)}
                width={bw}
                height={pad.t + innerH - y(d.value)}
                rx={1.5}
              >
                <title>{`${d.label}: ${d.value} ${valueLabel}`}</title>
              </rect>
              {!!d.extra && (
                <rect
                  className="bar bad"
                  x={x}
                  y={y(d.value + d.extra)}
                  width={bw}
                  height={y(d.value) - y(d.value + d.extra)}
                  rx={1.5}
                >
                  <title>{`${d.label}: ${d.extra} ${extraLabel ?? ""}`}</title>
                </rect>
              )}
              {i % every === 0 && (
                <text x={x + bw / 2} y={H - 6} textAnchor="middle">
                  {d.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="sr-only">
        <table>
          <caption>{title}</caption>
          <tbody>
            {data.map((d) => (
              <tr key={d.label}>
                <th scope="row">{d.label}</th>
                <td>
                  {d.value} {valueLabel}
                  {d.extra !== undefined ? `, ${d.extra} ${extraLabel ?? ""}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </figcaption>
    </figure>
  );
}

/** A ring showing one share (verification rate, public vs confidential). */
export function Ring({ value, total, label }: { value: number; total: number; label: string }) {
  const share = total > 0 ? value / total : 0;
  const r = 42;
  const c = 2 * Math.PI * r;
  return (
    <svg
      className="chart"
      viewBox="0 0 100 100"
      role="img"
      aria-label={`${label}: ${Math.round(share * 100)}%`}
      style={{ maxWidth: 120 }}
    >
      <circle cx="50" cy="50" r={r} fill="none" stroke="var(--track)" strokeWidth="12" />
      <circle
        cx="50"
        cy="50"
        r={r}
        fill="none"
        stroke="var(--accent)"
        strokeWidth="12"
        strokeDasharray={`${share * c} ${c}`}
        transform="rotate(-90 50 50)"
        strokeLinecap="round"
      />
      <text x="50" y="55" textAnchor="middle" style={{ fontSize: 18, fontWeight: 700, fill: "var(--text)" }}>
        {Math.round(share * 100)}%
      </text>
    </svg>
  );
}

/** Labelled horizontal meters (clients per grant type). */
export function Meters({ items }: { items: { label: string; value: number }[] }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <div className="stack" style={{ gap: "0.5rem" }}>
      {items.map((i) => (
        <div key={i.label}>
          <div className="spread small">
            <span className="mono">{i.label}</span>
            <strong>{i.value}</strong>
          </div>
          <div className="meter" role="presentation">
            <span style={{ width: `${(i.value / max) * 100}%` }} />
          </div>
        </div>
      ))}
    </div>
  );
}
