import Link from "next/link";
import type { NavSection } from "../lib/docs/content";
import { SearchBox } from "./SearchBox";

export function DocsSidebar({ nav, current }: { nav: NavSection[]; current?: string }) {
  return (
    <aside className="docs-sidebar">
      <SearchBox />
      <nav aria-label="Documentation">
        {nav.map((section) => (
          <div key={section.title}>
            <h2>{section.title}</h2>
            <ul>
              {section.pages.map((p) => (
                <li key={p.slug}>
                  <Link href={`/docs/${p.slug}`} aria-current={p.slug === current ? "page" : undefined}>
                    {p.title}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
    </aside>
  );
}
