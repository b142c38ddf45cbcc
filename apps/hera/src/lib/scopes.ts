/** Plain-language descriptions of the scopes Olympus clients ask for. */
const KNOWN: Record<string, { title: string; description: string }> = {
  openid: { title: "Confirm who you are", description: "Lets the application know it's you signing in." },
  email: { title: "Your email address", description: "Your email address and whether it is verified." },
  profile: { title: "Your profile", description: "Your name as it appears on your account." },
  offline_access: {
    title: "Stay signed in",
    description: "Lets the application keep you signed in when you're not using it.",
  },
  offline: {
    title: "Stay signed in",
    description: "Lets the application keep you signed in when you're not using it.",
  },
};

/** Title and description of a scope, falling back to its raw name. */
export function describeScope(scope: string): { title: string; description: string } {
  return KNOWN[scope] ?? { title: scope, description: `Access to "${scope}".` };
}

/** Scopes that are part of signing in itself and cannot be unticked. */
export const REQUIRED_SCOPES = new Set(["openid"]);
