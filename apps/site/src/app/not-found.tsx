import Link from "next/link";

export default function NotFound() {
  return (
    <div className="container prose">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. Try the <Link href="/docs">documentation</Link> or the{" "}
        <Link href="/">home page</Link>.
      </p>
    </div>
  );
}
