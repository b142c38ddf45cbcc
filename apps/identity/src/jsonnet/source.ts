import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/*
 * Where a Jsonnet program (or a JSON template) comes from, as Kratos reads `mapper_url` and a web
 * hook's `body`: `base64://<program>`, `file:///path`, or `https://…` (fetched with a time limit and a
 * size limit, and kept for a few minutes as Kratos caches fetched mappers).
 */

export class ProgramSourceError extends Error {
  override name = "ProgramSourceError";
}

const MAX_PROGRAM_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 5000;
const CACHE_MS = 5 * 60_000;
const fetched = new Map<string, { at: number; text: string }>();

export type ProgramUrlKind = "base64" | "file" | "https";

export function programUrlKind(url: string): ProgramUrlKind | undefined {
  if (url.startsWith("base64://")) return "base64";
  if (url.startsWith("file://")) return "file";
  if (url.startsWith("https://")) return "https";
  return undefined;
}

/** A program whose URL says it is Jsonnet (`.jsonnet`, `.libsonnet`), whatever it holds. */
export function namedJsonnet(url: string): boolean {
  if (url.startsWith("base64://")) return false;
  const path = url.split(/[?#]/)[0] ?? "";
  return /\.(jsonnet|libsonnet)$/i.test(path);
}

/** Reads base64:// and file:// URLs; https:// URLs are fetched (cached). Throws ProgramSourceError. */
export async function readProgram(url: string, where: string): Promise<string> {
  const kind = programUrlKind(url);
  if (kind === "base64") {
    const text = Buffer.from(url.slice("base64://".length), "base64").toString("utf8");
    if (Buffer.byteLength(text) > MAX_PROGRAM_BYTES)
      throw new ProgramSourceError(`${where}: the program is too large`);
    return text;
  }
  if (kind === "file") {
    try {
      const text = await readFile(fileURLToPath(url), "utf8");
      if (Buffer.byteLength(text) > MAX_PROGRAM_BYTES) throw new Error("the program is too large");
      return text;
    } catch (e) {
      throw new ProgramSourceError(`${where}: cannot read ${url}: ${(e as Error).message}`);
    }
  }
  if (kind === "https") {
    const hit = fetched.get(url);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.text;
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "error" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (declared > MAX_PROGRAM_BYTES) throw new Error("the program is too large");
      const body = await res.arrayBuffer();
      if (body.byteLength > MAX_PROGRAM_BYTES) throw new Error("the program is too large");
      text = Buffer.from(body).toString("utf8");
    } catch (e) {
      throw new ProgramSourceError(`${where}: cannot fetch ${url}: ${(e as Error).message}`);
    }
    fetched.set(url, { at: Date.now(), text });
    return text;
  }
  throw new ProgramSourceError(
    `${where}: expected a base64://, file:// or https:// URL, got ${url.slice(0, 40)}`,
  );
}
