import { type Domain, PORTS } from "@olympus/platform";
import Link from "next/link";

const both = (f: (d: Domain) => string | number) => ({ ciam: f("ciam"), iam: f("iam") });
const ports = [
  { piece: "Hera — sign-in, registration, recovery, consent UI", ...both((d) => PORTS[d].hera) },
  { piece: "Athena — admin dashboard", ...both((d) => PORTS[d].athena) },
  {
    piece: "Identity core, Kratos API (public / admin)",
    ...both((d) => `${PORTS[d].public} / ${PORTS[d].admin}`),
  },
  {
    piece: "Identity core, Hydra OAuth2 API (public / admin)",
    ...both((d) => `${PORTS[d].oauth2Public} / ${PORTS[d].oauth2Admin}`),
  },
];

export default function Home() {
  return (
    <>
      <section className="hero container">
        <h1>Your own identity platform, two domains, one command.</h1>
        <p className="lead">
          Olympus is an open-source, self-hosted identity platform in TypeScript. It runs customer identity (
          <strong>CIAM</strong>) and workforce identity (<strong>IAM</strong>) side by side, each with its own
          database, cookies and OAuth2 clients, and speaks the Ory Kratos and Ory Hydra APIs so the Ory SDKs
          work unchanged.
        </p>
        <div className="actions">
          <Link className="button" href="/docs/getting-started">
            Get started
          </Link>
          <Link className="button secondary" href="/playground">
            Try the OAuth2 playground
          </Link>
          <Link className="button secondary" href="/docs">
            Read the docs
          </Link>
        </div>
      </section>

      <section className="block container" aria-labelledby="domains">
        <h2 id="domains">Two identity domains</h2>
        <p className="muted">
          A breach of one never reaches the other: separate stacks, separate data, separate cookies.
        </p>
        <div className="grid">
          <article className="card ciam">
            <h3>CIAM — your customers</h3>
            <p>
              Customers sign up, sign in, verify their email and recover their password. Ports{" "}
              <code>3xxx</code>.
            </p>
          </article>
          <article className="card iam">
            <h3>IAM — your employees and operators</h3>
            <p>
              Registration is off; admins are seeded or created in Athena. Admins of both domains sign in to
              Athena through IAM. Ports <code>4xxx</code>.
            </p>
          </article>
        </div>
      </section>

      <section className="block container" aria-labelledby="pieces">
        <h2 id="pieces">What runs in each domain</h2>
        <div className="grid">
          <article className="card">
            <h3>Identity core</h3>
            <p>
              One Node process per domain serving the Ory Kratos API (identities, self-service flows,
              sessions, email courier) and the Ory Hydra API (OAuth2 and OpenID Connect provider). PostgreSQL
              or embedded PGlite.
            </p>
          </article>
          <article className="card">
            <h3>Hera</h3>
            <p>
              The login, registration, recovery, verification, settings, consent and logout pages, built on
              Ory Elements.
            </p>
          </article>
          <article className="card">
            <h3>Athena</h3>
            <p>
              The admin dashboard: identities, sessions, OAuth2 clients, schemas, emails, lockouts and
              settings.
            </p>
          </article>
        </div>
        <table>
          <caption className="muted small">Local ports</caption>
          <thead>
            <tr>
              <th scope="col">Service</th>
              <th scope="col">CIAM</th>
              <th scope="col">IAM</th>
            </tr>
          </thead>
          <tbody>
            {ports.map((p) => (
              <tr key={p.piece}>
                <th scope="row">{p.piece}</th>
                <td>{p.ciam}</td>
                <td>{p.iam}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          Shared: this Site on {PORTS.site}, the mail catcher on {PORTS.mailUi} (SMTP {PORTS.smtp}),
          PostgreSQL on {PORTS.postgres} when a server is used. Admin ports are never meant to be public.
        </p>
      </section>

      <section className="block container" aria-labelledby="quickstart">
        <h2 id="quickstart">Quickstart</h2>
        <p>On a fresh clone with Node.js 20:</p>
        <pre>
          <code>{`npm start    # installs what is needed, then brings the whole platform up (octl deploy)
npm test     # installs what is needed, then runs the whole test suite`}</code>
        </pre>
        <p>
          Then open Athena IAM at <code>http://localhost:4001</code> and sign in as{" "}
          <code>admin@demo.user</code> / <code>admin123!</code>. The{" "}
          <Link href="/docs/getting-started">getting started guide</Link> walks through the first login, a
          customer registration and the recovery flow.
        </p>
      </section>

      <section className="block container" aria-labelledby="playground">
        <h2 id="playground">See the OAuth2 round trip</h2>
        <p>
          The <Link href="/playground">playground</Link> runs Authorization Code with PKCE as a public client
          against either domain and shows every step: the authorization request, the code, the raw token
          response, the ID token verified against the domain&apos;s keys, <code>/userinfo</code>, a refresh
          and RP-initiated logout.
        </p>
      </section>
    </>
  );
}
