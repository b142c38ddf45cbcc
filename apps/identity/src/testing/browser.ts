/**
 * A minimal cookie jar for tests that act as a browser against localhost: every Set-Cookie is kept
 * by name (all test services share one host), expired ones are dropped, and every request sends them.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; expires?: number }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      let expires: number | undefined;
      for (const a of attrs) {
        const [k, v] = a.trim().split("=");
        if (k?.toLowerCase() === "max-age") expires = Date.now() + Number(v) * 1000;
        if (k?.toLowerCase() === "expires" && expires === undefined) expires = Date.parse(v ?? "");
      }
      if (value === "" || (expires !== undefined && expires <= Date.now())) this.cookies.delete(name);
      else this.cookies.set(name, { value, expires });
    }
  }

  header(): string {
    const now = Date.now();
    return [...this.cookies.entries()]
      .filter(([, c]) => c.expires === undefined || c.expires > now)
      .map(([k, c]) => `${k}=${c.value}`)
      .join("; ");
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  set(name: string, value: string): void {
    this.cookies.set(name, { value });
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  /** A fetch that sends and stores this jar's cookies and never follows redirects. */
  fetch: typeof fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    const cookie = this.header();
    if (cookie && !headers.has("cookie")) headers.set("cookie", cookie);
    const res = await fetch(input, { ...init, headers, redirect: "manual" });
    this.store(res);
    return res;
  };
}

/** The CSRF token a browser flow's UI carries (its `csrf_token` node). */
export function csrfOf(flow: { ui: { nodes: { attributes: unknown }[] } }): string {
  const node = flow.ui.nodes.find((n) => (n.attributes as { name?: string }).name === "csrf_token");
  return (node!.attributes as { value: string }).value;
}

/** The flow id in a redirect's Location (`…?flow=<id>`). */
export const flowIn = (location: string | null): string => new URL(location!).searchParams.get("flow")!;

/** `link` with its `code` query parameter replaced. */
export function withCode(link: string, code: string): string {
  const u = new URL(link);
  u.searchParams.set("code", code);
  return u.toString();
}
