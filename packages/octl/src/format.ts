import type { ServiceState } from "./state.ts";

/** Left-aligned columns separated by two spaces; trailing blanks trimmed. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function formatPorts(s: Pick<ServiceState, "ports">): string {
  return s.ports.map((p) => `${p.port} (${p.name})`).join(", ") || "-";
}

/** The URLs and demo credentials printed after a deploy. */
export function summary(services: ServiceState[]): string {
  const urlRows: string[][] = [["SERVICE", "WHAT", "URL"]];
  for (const s of services) {
    s.urls.forEach((u, i) => {
      urlRows.push([i === 0 ? s.name : "", u.label, u.url]);
    });
    if (s.urls.length === 0) urlRows.push([s.name, s.description, "-"]);
  }
  let out = table(urlRows);
  const creds = services.flatMap((s) =>
    s.credentials.map((c, i) => [i === 0 ? s.name : "", c.label, c.value]),
  );
  if (creds.length) out += `\n\nDemo credentials\n${table([["SERVICE", "WHAT", "VALUE"], ...creds])}`;
  return out;
}

export function ago(iso: string | null): string {
  if (!iso) return "-";
  const secs = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (secs < 60) return `${secs}s`;
  if (secs < 3600) return `${Math.floor(secs / 60)}m${secs % 60}s`;
  return `${Math.floor(secs / 3600)}h${Math.floor((secs % 3600) / 60)}m`;
}
