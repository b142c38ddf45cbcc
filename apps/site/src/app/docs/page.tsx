import type { Metadata } from "next";
import Link from "next/link";
import { DocsSidebar } from "../../components/DocsSidebar";
import { docsSite } from "../../lib/docs";

export const metadata: Metadata = { title: "Documentation" };

export default function DocsIndex() {
  const site = docsSite();
  return (
    <div className="container docs">
      <DocsSidebar nav={site.nav} />
      <article className="prose">
        <h1>Documentation</h1>
        <p>How to run Olympus, how it is built, how to configure, deploy and secure it.</p>
        {site.nav.map((section) => (
          <section key={section.title}>
            <h2>{section.title}</h2>
            <ul>
              {section.pages.map((p) => (
                <li key={p.slug}>
                  <Link href={`/docs/${p.slug}`}>{p.title}</Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
        {site.pages.length === 0 && (
          <p className="muted">
            No documentation was found. Set <code>OLYMPUS_DOCS_DIR</code> to the repository&apos;s{" "}
            <code>docs/</code> folder.
          </p>
        )}
      </article>
    </div>
  );
}
