// How admin commands print: a table by default, JSON with --json; errors from the core as one line.
import { FetchError, ResponseError } from "@olympus/sdk";
import { table } from "../format.ts";
import { UsageError } from "./target.ts";

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(header: string[], rows: string[][]): void {
  process.stdout.write(`${table([header, ...rows])}\n`);
}

export const cell = (v: unknown): string =>
  v === undefined || v === null || v === "" ? "-" : v instanceof Date ? v.toISOString() : String(v);

/** The reason in an Ory (Kratos or Hydra) error body. */
export async function reasonOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as
    | { error?: { reason?: string; message?: string } | string; error_description?: string }
    | undefined;
  if (body && typeof body.error === "object") return body.error.reason || body.error.message || "";
  if (body && typeof body.error === "string") return body.error_description ?? body.error;
  return "";
}

/**
 * Runs an admin command: its exit code, or 1 with one line on stderr when the core refused or
 * could not be reached (2 for usage errors).
 */
export async function adminRun(what: () => Promise<number>, where: () => string): Promise<number> {
  try {
    return await what();
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`octl: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ResponseError) {
      const reason = await reasonOf(e.response);
      process.stderr.write(`octl: ${where()} answered ${e.response.status}${reason ? `: ${reason}` : ""}\n`);
      return 1;
    }
    if (e instanceof FetchError || (e as Error).name === "TypeError") {
      process.stderr.write(
        `octl: cannot reach ${where()} (${(e as FetchError).cause?.message ?? (e as Error).message}); ` +
          "is the platform running (octl deploy)? Otherwise pass --admin-url\n",
      );
      return 1;
    }
    throw e;
  }
}
