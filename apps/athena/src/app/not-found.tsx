import Link from "next/link";

export default function NotFound() {
  return (
    <main className="signin">
      <div className="card">
        <h1>Not found</h1>
        <p className="muted">There is nothing at this address.</p>
        <Link className="btn" href="/">
          Back to the dashboard
        </Link>
      </div>
    </main>
  );
}
