import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DocsSidebar } from "../../../components/DocsSidebar";
import { neighbours } from "../../../lib/docs/content";
import { docsSite, findPage, render } from "../../../lib/docs";

interface Props {
  params: Promise<{ slug: string[] }>;
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug } = await params;
  const page = findPage(docsSite(), slug);
  return page ? { title: page.title } : {};
}

export default async function DocPage({ params }: Props) {
  const { slug } = await params;
  const site = docsSite();
  const page = findPage(site, slug);
  if (!page) notFound();
  const doc = render(site, page);
  const { prev, next } = neighbours(site.nav, page.slug);
  return (
    <div className="container docs">
      <DocsSidebar nav={site.nav} current={page.slug} />
      <article className="prose">
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by rehype-sanitize (GitHub's schema) in lib/docs/render.ts */}
        <div dangerouslySetInnerHTML={{ __html: doc.html }} />
        <nav className="pager" aria-label="Previous and next page">
          {prev ? <Link href={`/docs/${prev.slug}`}>← {prev.title}</Link> : <span />}
          {next ? <Link href={`/docs/${next.slug}`}>{next.title} →</Link> : <span />}
        </nav>
      </article>
    </div>
  );
}
