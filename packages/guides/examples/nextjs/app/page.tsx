import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { currentSession } from "../lib/olympus";

// A protected page: no session, no page.
export default async function Home() {
  const session = await currentSession((await cookies()).toString());
  if (!session) redirect("/login");
  const email = (session.identity?.traits as { email?: string } | undefined)?.email;
  return <p>Signed in as {email}</p>;
}
