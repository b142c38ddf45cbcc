import { AsyncLocalStorage } from "node:async_hooks";

/*
 * The identity core records who did an admin write from `X-Olympus-Actor` (its audit log keeps it as
 * the row's `metadata.admin`). Athena's API routes run their handler inside `withActor` with the
 * signed-in administrator, and the SDK's fetch adds the header to every state-changing admin call made
 * within it, so no call site can forget it.
 */

export const ACTOR_HEADER = "x-olympus-actor";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const store = new AsyncLocalStorage<string>();

/** How an administrator is named to the core: the email, or the IAM id when the email is not plain ASCII. */
export function actorName(who: { email: string; sub: string }): string {
  const plain = /^[\x21-\x7e]{1,200}$/.test(who.email);
  return plain ? who.email : who.sub.slice(0, 200);
}

/** Runs `fn` with `actor` named on the admin writes it makes. */
export function withActor<T>(actor: string, fn: () => T): T {
  return store.run(actor, fn);
}

/** The administrator of the current request, if any. */
export const currentActor = (): string | undefined => store.getStore();

function methodOf(input: RequestInfo | URL, init?: RequestInit): string {
  if (init?.method) return init.method.toUpperCase();
  if (typeof input === "object" && "method" in input) return input.method.toUpperCase();
  return "GET";
}

/** `init` with the actor header added when the call changes state and an administrator is known. */
export function withActorHeader(input: RequestInfo | URL, init?: RequestInit): RequestInit | undefined {
  const actor = store.getStore();
  if (!actor || SAFE_METHODS.has(methodOf(input, init))) return init;
  const headers = new Headers(
    init?.headers ?? (typeof input === "object" && "headers" in input ? input.headers : undefined),
  );
  if (!headers.has(ACTOR_HEADER)) headers.set(ACTOR_HEADER, actor);
  return { ...init, headers };
}
