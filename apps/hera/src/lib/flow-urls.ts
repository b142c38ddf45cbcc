/** The self-service flows Hera renders. */
export type FlowKind = "login" | "registration" | "recovery" | "verification" | "settings";

/** Query parameters each flow's browser initialisation accepts (Kratos `create<Flow>BrowserFlow`). */
const PASSTHROUGH: Record<FlowKind, readonly string[]> = {
  login: ["return_to", "login_challenge", "refresh", "aal", "via", "organization"],
  registration: ["return_to", "login_challenge", "after_verification_return_to", "organization"],
  recovery: ["return_to"],
  verification: ["return_to"],
  settings: ["return_to"],
};

/**
 * The same-origin URL that starts a new browser flow: the core answers it with a 303 back to
 * Hera's page carrying `?flow=<id>` and sets the CSRF cookie.
 */
export function browserInitPath(kind: FlowKind, params: URLSearchParams): string {
  const query = new URLSearchParams();
  for (const name of PASSTHROUGH[kind]) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  const qs = query.toString();
  return `/.ory/self-service/${kind}/browser${qs ? `?${qs}` : ""}`;
}

/** Next's searchParams object as URLSearchParams (repeated keys keep their first value). */
export function toSearchParams(input: Record<string, string | string[] | undefined>): URLSearchParams {
  const out = new URLSearchParams();
  for (const [key, value] of Object.entries(input)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out.set(key, first);
  }
  return out;
}
