import type { Domain } from "../config";
import type { ExplainedError } from "./errors";
import type { HttpExchange } from "./recorder";
import type { IdTokenReport } from "./id-token";

/** One thing the playground did with the tokens, shown in order on the callback page. */
export interface PlaygroundStep {
  /** Unique in this process (a stable key for rendering). */
  seq: number;
  kind:
    | "authorization_code"
    | "userinfo"
    | "refresh_token"
    | "code_reuse"
    | "introspection"
    | "client_credentials"
    | "device_authorization"
    | "device_code";
  at: number;
  http: HttpExchange[];
  /** The parsed JSON body of the main response (token or userinfo). */
  response?: unknown;
  idToken?: IdTokenReport;
  error?: ExplainedError;
}

export interface TokenSet {
  access_token?: string;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  expires_in?: number;
  token_type?: string;
}

/** What server memory holds for one browser's playground session in one domain. Tokens never leave it. */
export interface PlaygroundSession {
  id: string;
  domain: Domain;
  createdAt: number;
  expiresAt: number;
  /** The authorization response this session redeemed (or tried to), and the request it answered. */
  callback?: { code?: string; state?: string; search: string };
  flowState?: string;
  codeVerifier?: string;
  nonce?: string;
  subject?: string;
  tokens?: TokenSet;
  steps: PlaygroundStep[];
  /** The callback's outcome when no token request was made (state mismatch, access_denied, …). */
  callbackError?: ExplainedError;
  /** The DPoP key pair of this session (RFC 9449), made on the server when DPoP was chosen; never sent anywhere. */
  dpopKeys?: CryptoKeyPair;
  /** The machine-to-machine part (client_credentials with the playground's confidential client). */
  machine?: { steps: PlaygroundStep[]; tokens?: TokenSet; dpopKeys?: CryptoKeyPair };
  /** The device flow (RFC 8628) of this session: the device authorization, its polling, the outcome. */
  device?: {
    steps: PlaygroundStep[];
    userCode?: string;
    verificationUri?: string;
    verificationUriComplete?: string;
    interval?: number;
    status: "starting" | "pending" | "done" | "failed";
    tokens?: TokenSet;
  };
  /** Set while the code is being exchanged, so a double request waits instead of redeeming twice. */
  pending?: Promise<void>;
}

let nextStepSeq = 1;

/** A new, empty step of the given kind recording into `http`. */
export function newStep(kind: PlaygroundStep["kind"], http: HttpExchange[]): PlaygroundStep {
  return { seq: nextStepSeq++, kind, at: Date.now(), http };
}

interface Memory {
  sessions: Map<string, PlaygroundSession>;
  logoutStates: Map<string, { domain: Domain; at: number }>;
}

const MAX_SESSIONS = 2000;
const LOGOUT_STATE_TTL = 15 * 60_000;

// Route handlers, pages and server actions may be bundled as separate module instances; one shared
// object on globalThis keeps them looking at the same memory.
const KEY = Symbol.for("olympus.site.playground.memory");
function memory(): Memory {
  const g = globalThis as unknown as Record<symbol, Memory | undefined>;
  g[KEY] ??= { sessions: new Map(), logoutStates: new Map() };
  return g[KEY];
}

function sweep(now: number) {
  const { sessions, logoutStates } = memory();
  for (const [id, s] of sessions) if (s.expiresAt <= now) sessions.delete(id);
  for (const [state, l] of logoutStates) if (now - l.at > LOGOUT_STATE_TTL) logoutStates.delete(state);
  // Oldest first (Map keeps insertion order): a flood of sessions cannot grow memory without bound.
  while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
}

export const playgroundStore = {
  get(id: string | undefined, domain: Domain, now = Date.now()): PlaygroundSession | undefined {
    if (!id) return undefined;
    const s = memory().sessions.get(id);
    if (!s || s.domain !== domain || s.expiresAt <= now) return undefined;
    return s;
  },
  create(id: string, domain: Domain, ttlMs: number, now = Date.now()): PlaygroundSession {
    sweep(now);
    const s: PlaygroundSession = { id, domain, createdAt: now, expiresAt: now + ttlMs, steps: [] };
    memory().sessions.set(id, s);
    return s;
  },
  delete(id: string | undefined): void {
    if (id) memory().sessions.delete(id);
  },
  rememberLogout(state: string, domain: Domain, now = Date.now()): void {
    sweep(now);
    memory().logoutStates.set(state, { domain, at: now });
  },
  /** Returns and forgets the domain a logout state was issued for. */
  takeLogout(state: string | undefined): Domain | undefined {
    if (!state) return undefined;
    const hit = memory().logoutStates.get(state);
    memory().logoutStates.delete(state);
    return hit?.domain;
  },
};
