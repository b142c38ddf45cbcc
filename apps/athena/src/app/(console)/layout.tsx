import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { Sidebar } from "@/components/nav";
import { athenaEnv } from "@/lib/env";
import { requirePageSession } from "@/lib/session/server";

/** Every console page needs a session; signed-out visitors go to /signin and come back. */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const path = (await headers()).get("x-athena-path") ?? "/";
  const session = await requirePageSession(path);
  const { domain } = athenaEnv();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Sidebar
        brand={
          <Link href="/" className="brand">
            <span className="dot" aria-hidden="true" /> Athena{" "}
            <span className="domain-tag">{domain.toUpperCase()}</span>
          </Link>
        }
        who={
          <div className="who">
            <div>
              <strong>{session.name}</strong>{" "}
              <span className={`badge ${session.role === "admin" ? "accent" : ""}`} data-testid="role-badge">
                {session.role}
              </span>
            </div>
            <div className="email">{session.email}</div>
            <form method="post" action="/api/auth/logout">
              <button type="submit" className="btn small">
                Sign out
              </button>
            </form>
          </div>
        }
      />
      <main id="main" className="main" tabIndex={-1}>
        {session.role === "viewer" && (
          <div className="notice info small" style={{ marginBottom: "1rem" }} role="note">
            You are signed in as a <strong>viewer</strong>: you can look at everything but change nothing.
          </div>
        )}
        {children}
      </main>
    </div>
  );
}
