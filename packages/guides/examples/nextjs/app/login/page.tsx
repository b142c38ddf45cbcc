import { Login } from "@ory/elements-react/theme";
import "@ory/elements-react/theme/styles.css";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { elementsConfig, loginFlow } from "../../lib/olympus";

const APP_URL = process.env.APP_URL ?? "http://localhost:3000";

// The sign-in page, rendered on the server with the flow Olympus created; the form posts straight to
// Olympus, which sets the session cookie and sends the browser back to `return_to`.
export default async function LoginPage(props: { searchParams: Promise<{ flow?: string }> }) {
  const { flow: flowId } = await props.searchParams;
  const cookie = (await cookies()).toString();
  const result = await loginFlow(flowId, cookie, `${APP_URL}/`);
  if ("redirectTo" in result) redirect(result.redirectTo);
  return <Login flow={result.flow} config={elementsConfig(APP_URL)} />;
}
