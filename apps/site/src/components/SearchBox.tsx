"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { type SearchEntry, type SearchHit, searchDocs } from "../lib/docs/search";

/** Client-side docs search over the small index the server prebuilds at /docs/search-index.json. */
export function SearchBox() {
  const id = useId();
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [failed, setFailed] = useState(false);
  const index = useRef<Promise<SearchEntry[]> | null>(null);

  const load = () => {
    index.current ??= fetch("/docs/search-index.json")
      .then((r) =>
        r.ok ? (r.json() as Promise<SearchEntry[]>) : Promise.reject(new Error(String(r.status))),
      )
      .catch(() => {
        setFailed(true);
        index.current = null;
        return [];
      });
    return index.current;
  };

  const onChange = async (value: string) => {
    setQuery(value);
    const entries = await load();
    setHits(searchDocs(entries, value));
  };

  return (
    <search className="search">
      <label htmlFor={id} className="small">
        Search the docs
      </label>
      <input
        id={id}
        type="search"
        value={query}
        placeholder="e.g. PKCE, dsn, logout"
        autoComplete="off"
        onFocus={() => void load()}
        onChange={(e) => void onChange(e.target.value)}
        aria-describedby={`${id}-status`}
      />
      <p id={`${id}-status`} className="small muted" aria-live="polite">
        {failed
          ? "Search is unavailable."
          : query.trim().length >= 2
            ? `${hits.length} result${hits.length === 1 ? "" : "s"}`
            : ""}
      </p>
      {hits.length > 0 && (
        <ul className="search-results">
          {hits.map((h) => (
            <li key={h.slug}>
              <Link href={`/docs/${h.slug}${h.anchor ? `#${h.anchor}` : ""}`}>
                <strong>{h.title}</strong>
                {h.heading ? ` › ${h.heading}` : ""}
                <span className="snippet">{h.snippet}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </search>
  );
}
