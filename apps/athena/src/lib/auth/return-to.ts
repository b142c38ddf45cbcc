/**
 * Where Athena sends the browser after sign-in: a path on Athena itself, checked as the browser will
 * read it. Browsers drop tabs and newlines from a URL and read `\` as `/` (WHATWG URL), so
 * `/%09/evil.example/` — `/\t/evil.example/` once decoded — passed a "starts with one slash" check and
 * then became `//evil.example/`. The value is therefore resolved with WHATWG URL against a fixed
 * origin, must stay on it, and is replaced by its normalised form, so what Athena stores is what the
 * browser follows.
 */

const BASE = "https://athena.invalid";

/** Slash look-alikes some URL consumers fold to `/` or `\`. */
const SLASH_LOOKALIKES = /[\u2044\u2215\u29f5\u29f8\u29f9\ufe68\uff0f\uff3c]/;
/** Percent-encoded slash, backslash, percent (double encoding) or control character in the path. */
const ENCODED_TRICKS = /%(?:2f|5c|25|[01][0-9a-f]|7f)/i;

export function safeReturnTo(raw: string | null | undefined): string {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 512) return "/";
  // Controls (tab, CR, LF, NUL…), spaces, DEL and backslashes: no legitimate return path has them.
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch <= 0x20 || ch === 0x7f || ch === 0x5c) return "/";
  }
  if (SLASH_LOOKALIKES.test(raw)) return "/";
  // A path, never a scheme (`https:evil`, `javascript:`) or a host (`//evil`).
  if (raw[0] !== "/" || raw[1] === "/") return "/";
  const pathPart = raw.split(/[?#]/, 1)[0]!;
  if (ENCODED_TRICKS.test(pathPart)) return "/";
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  const normalised = `${url.pathname}${url.search}${url.hash}`;
  // `/.//evil` normalises to `//evil`: check the result as well as the input.
  if (!normalised.startsWith("/") || normalised.startsWith("//") || normalised.includes("\\")) return "/";
  if (new URL(normalised, BASE).origin !== BASE) return "/";
  // Never back into the sign-in machinery (a loop) or an API route.
  if (url.pathname.startsWith("/api/") || url.pathname === "/api" || url.pathname.startsWith("/signin")) {
    return "/";
  }
  return normalised;
}
