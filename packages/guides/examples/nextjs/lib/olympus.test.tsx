import { Login } from "@ory/elements-react/theme";
import { renderToString } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP,
  browserSignIn,
  CookieJar,
  createPerson,
  type GuideCore,
  startGuideCore,
} from "../../../src/core";
import { currentSession, elementsConfig, loginFlow, olympus } from "./olympus";

// The Next.js guide's server-side code against a real core. Building and starting the example app
// would take longer than this whole suite; the pages are thin (see app/), so the test calls what they
// call and renders the login form as the page does, on the server.
let t: GuideCore;

beforeAll(async () => {
  t = await startGuideCore();
});
afterAll(() => t?.stop());

describe("guide: Next.js with @ory/client-fetch and @ory/elements-react", () => {
  it("without a flow id, or with one that is not this browser's, sends the browser to start one", async () => {
    const none = await loginFlow(undefined, "", `${APP}/`, t.publicUrl);
    expect(none).toEqual({
      redirectTo: `${t.publicUrl}/self-service/login/browser?return_to=${encodeURIComponent(`${APP}/`)}`,
    });
    for (const id of ["00000000-0000-4000-8000-000000000000", "../../admin", "' OR 1=1"]) {
      const r = await loginFlow(id, "", `${APP}/`, t.publicUrl);
      expect(r, id).toHaveProperty("redirectTo");
    }
    // A real flow, asked for without the CSRF cookie of the browser that started it.
    const jar = new CookieJar();
    const start = await jar.fetch(`${t.publicUrl}/self-service/login/browser`);
    const id = new URL(start.headers.get("location")!).searchParams.get("flow")!;
    expect(await loginFlow(id, "", `${APP}/`, t.publicUrl)).toHaveProperty("redirectTo");
  });

  it("loads the browser's flow and renders elements' login form posting to Olympus", async () => {
    const jar = new CookieJar();
    const start = await jar.fetch(`${t.publicUrl}/self-service/login/browser`);
    const id = new URL(start.headers.get("location")!).searchParams.get("flow")!;
    const result = await loginFlow(id, jar.header(), `${APP}/`, t.publicUrl);
    if (!("flow" in result)) throw new Error("expected the flow");
    expect(result.flow.id).toBe(id);
    const html = renderToString(<Login flow={result.flow} config={elementsConfig(APP, t.publicUrl)} />);
    expect(html).toContain(`action="${result.flow.ui.action.replaceAll("&", "&amp;")}"`);
    expect(html).toContain('name="identifier"');
    expect(html).toContain('name="password"');
    expect(html).toContain('name="csrf_token"');
  });

  it("knows the signed-in person from the cookies, and nobody from none or forged ones", async () => {
    const id = await createPerson(t, "next@example.com");
    const jar = await browserSignIn(t, "next@example.com");
    const api = olympus(t.publicUrl);
    expect((await currentSession(jar.header(), api))?.identity?.id).toBe(id);
    expect(await currentSession("", api)).toBeNull();
    expect(await currentSession("olympus_test_session=forged", api)).toBeNull();
  });
});
