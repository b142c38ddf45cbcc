/** One page of the docs search index (built on the server, searched in the browser). */
export interface SearchEntry {
  slug: string;
  title: string;
  headings: { id: string; text: string }[];
  text: string;
}

export interface SearchHit {
  slug: string;
  title: string;
  /** The best matching heading's anchor, if a heading matched. */
  anchor?: string;
  heading?: string;
  snippet: string;
  score: number;
}

const MAX_TEXT = 6000;

/** Trims an index entry so the whole index stays small. */
export function indexEntry(
  slug: string,
  title: string,
  headings: { id: string; text: string }[],
  text: string,
): SearchEntry {
  return { slug, title, headings, text: text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text };
}

function terms(query: string): string[] {
  return query
    .toLowerCase()
    .split(/[^\p{L}\p{N}_.-]+/u)
    .filter((t) => t.length >= 2)
    .slice(0, 8);
}

function snippetOf(text: string, term: string): string {
  const i = text.toLowerCase().indexOf(term);
  if (i < 0) return text.slice(0, 140);
  const start = Math.max(0, i - 60);
  return `${start > 0 ? "…" : ""}${text.slice(start, i + 80)}…`;
}

/**
 * Ranks pages for a query: every term must occur somewhere in the page; a term in the title weighs 10,
 * in a heading 4, in the text 1 per occurrence (capped).
 */
export function searchDocs(index: SearchEntry[], query: string, limit = 8): SearchHit[] {
  const ts = terms(query);
  if (!ts.length) return [];
  const hits: SearchHit[] = [];
  for (const e of index) {
    const title = e.title.toLowerCase();
    const text = e.text.toLowerCase();
    let score = 0;
    let best: { id: string; text: string; n: number } | undefined;
    let all = true;
    for (const t of ts) {
      const inTitle = title.includes(t);
      const inHeadings = e.headings.filter((h) => h.text.toLowerCase().includes(t));
      const count = Math.min(text.split(t).length - 1, 10);
      if (!inTitle && !inHeadings.length && !count) {
        all = false;
        break;
      }
      score += (inTitle ? 10 : 0) + inHeadings.length * 4 + count;
      for (const h of inHeadings) {
        const n = (best?.id === h.id ? best.n : 0) + 1;
        if (!best || n > best.n) best = { ...h, n };
      }
    }
    if (!all) continue;
    hits.push({
      slug: e.slug,
      title: e.title,
      ...(best ? { anchor: best.id, heading: best.text } : {}),
      snippet: snippetOf(e.text, ts[0]!),
      score,
    });
  }
  return hits.sort((a, b) => b.score - a.score || a.title.localeCompare(b.title)).slice(0, limit);
}
