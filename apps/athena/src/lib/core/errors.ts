import { FetchError, RequiredError, ResponseError } from "@ory/client-fetch";
import { OlympusApiError } from "@olympus/sdk";

/** An error from the identity core, reduced to what Athena shows and answers. */
export interface CoreFailure {
  status: number;
  message: string;
  /** The core answered 404/405/501 on an endpoint Athena expects: that API is not there yet. */
  missing?: boolean;
}

function messageOf(body: unknown): string | undefined {
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  const err = b.error;
  if (err && typeof err === "object") {
    const e = err as Record<string, unknown>;
    const parts = [e.message, e.reason].filter((x) => typeof x === "string" && x) as string[];
    if (parts.length) return [...new Set(parts)].join(" — ");
  }
  if (typeof b.error_description === "string") return b.error_description;
  if (typeof b.error === "string") return b.error;
  if (typeof b.message === "string") return b.message;
  return undefined;
}

/** Reads a failed SDK call (ResponseError, FetchError, OlympusApiError) into a CoreFailure. */
export async function coreFailure(e: unknown): Promise<CoreFailure> {
  // An OlympusApiError is a ResponseError too; its endpoints are Olympus-only, so any 404 means missing.
  if (e instanceof OlympusApiError) {
    return {
      status: e.status,
      message: messageOf(e.body) ?? `The identity core answered HTTP ${e.status}.`,
      ...(e.status === 404 || e.status === 405 || e.status === 501 ? { missing: true } : {}),
    };
  }
  if (e instanceof ResponseError) {
    const status = e.response.status;
    let body: unknown;
    try {
      body = await e.response.clone().json();
    } catch {}
    return {
      status,
      message: messageOf(body) ?? `The identity core answered HTTP ${status}.`,
      ...(status === 404 && !messageOf(body) ? { missing: true } : {}),
      ...(status === 405 || status === 501 ? { missing: true } : {}),
    };
  }
  if (e instanceof FetchError) {
    return {
      status: 502,
      message: "The identity core did not answer: is it running, and are the URLs under Settings right?",
    };
  }
  if (e instanceof RequiredError) return { status: 400, message: e.message };
  throw e;
}

/** Runs a core call for a page: the value, or the failure to render as an error state. */
export async function attempt<T>(
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: CoreFailure }> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: await coreFailure(e) };
  }
}
