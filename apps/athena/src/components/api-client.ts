"use client";

export type ApiResult<T> =
  | { ok: true; data: T }
  | {
      ok: false;
      status: number;
      message: string;
      /** Messages per form field, when the route names them (`email`, `name.first`). */
      fields?: Record<string, string>;
    };

/** Calls one of Athena's own API routes with JSON; never throws. */
export async function callApi<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  try {
    const res = await fetch(url, {
      method,
      headers: {
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      credentials: "same-origin",
    });
    const data = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!res.ok) {
      const err = data?.error as { message?: string; fields?: unknown } | undefined;
      if (res.status === 401)
        return { ok: false, status: 401, message: "Your Athena session has ended. Sign in again." };
      return {
        ok: false,
        status: res.status,
        message: err?.message ?? `Request failed (HTTP ${res.status}).`,
        ...(err?.fields && typeof err.fields === "object"
          ? { fields: err.fields as Record<string, string> }
          : {}),
      };
    }
    return { ok: true, data: data as T };
  } catch {
    return { ok: false, status: 0, message: "Athena could not be reached." };
  }
}
