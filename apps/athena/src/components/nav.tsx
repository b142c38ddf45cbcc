"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";

const LINKS = [
  { href: "/", label: "Dashboard" },
  { href: "/identities", label: "Identities" },
  { href: "/sessions", label: "Sessions" },
  { href: "/security", label: "Security" },
  { href: "/clients", label: "OAuth2 clients" },
  { href: "/schemas", label: "Schemas" },
  { href: "/providers", label: "Sign-in providers" },
  { href: "/messages", label: "Emails" },
  { href: "/settings", label: "Settings" },
];

/** The sidebar: brand, navigation (collapsible at phone width) and who is signed in. */
export function Sidebar({ brand, who }: { brand: ReactNode; who: ReactNode }) {
  const path = usePathname();
  const [open, setOpen] = useState(false);
  const current = (href: string) =>
    href === "/" ? path === "/" : path === href || path.startsWith(`${href}/`);
  return (
    <aside className={`sidebar${open ? " open" : ""}`}>
      <div className="top">
        {brand}
        <button
          type="button"
          className="btn small menu-toggle"
          aria-expanded={open}
          aria-controls="athena-nav"
          onClick={() => setOpen(!open)}
        >
          Menu
        </button>
      </div>
      <nav id="athena-nav" className="nav" aria-label="Athena">
        {LINKS.map((l) => (
          <Link
            key={l.href}
            href={l.href}
            aria-current={current(l.href) ? "page" : undefined}
            onClick={() => setOpen(false)}
          >
            {l.label}
          </Link>
        ))}
      </nav>
      {who}
    </aside>
  );
}
