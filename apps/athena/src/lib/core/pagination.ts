/** The `page_token` of the `rel="next"` link in an Ory `Link` header, if there is a next page. */
export function nextPageToken(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = part.match(/<([^>]*)>\s*;(.*)$/);
    if (!m || !/rel="?next"?/.test(m[2]!)) continue;
    try {
      return new URL(m[1]!, "http://x").searchParams.get("page_token") ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
