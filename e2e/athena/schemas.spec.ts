import { expect, test } from "@playwright/test";
import { api, athenaUrl, signIn } from "./support.ts";
import { kratosAdminUrl, kratosPublicUrl } from "./stack.ts";

/*
 * Identity schema versions in Athena: an administrator starts a new version from CIAM's default
 * schema, a broken ory.sh/kratos extension is refused with where it is wrong, the fixed version is
 * added and served by Kratos' /schemas/{id}, and set as the default. A viewer sees the schemas and
 * neither control, and Athena's API refuses both writes.
 */

test.describe("identity schemas", () => {
  test.afterAll(async () => {
    // CIAM goes back to its configuration's default schema for the other specs.
    await fetch(`${kratosAdminUrl("ciam")}/admin/olympus/identity-schemas/default`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "default" }),
    });
  });

  test("add a version (checked by the core), set it as default; viewers are refused", async ({
    page,
    browser,
  }, info) => {
    const id = `default-e2e-${Date.now().toString(36)}`;
    await signIn(page, "ciam", "admin", info);
    await page.goto(`${athenaUrl("ciam")}/schemas`);
    const form = page.getByRole("form", { name: "Add a version" });
    await form.getByLabel("Start from").selectOption("default");
    await form.getByLabel("New id").fill(id);
    const json = form.getByLabel("JSON Schema");
    const original = JSON.parse(await json.inputValue()) as Record<string, any>;

    // A trait with an extension Kratos does not define: refused, with its JSON pointer.
    const broken = structuredClone(original);
    broken.properties.traits.properties.nickname = {
      type: "string",
      title: "Nickname",
      "ory.sh/kratos": { credentials: { magic: { identifier: true } } },
    };
    await json.fill(JSON.stringify(broken, null, 2));
    await form.getByRole("button", { name: "Add schema" }).click();
    await expect(form.getByRole("alert")).toContainText(
      "/properties/traits/properties/nickname/ory.sh~1kratos/credentials/magic",
    );

    const fixed = structuredClone(original);
    fixed.properties.traits.properties.nickname = { type: "string", title: "Nickname", maxLength: 40 };
    await json.fill(JSON.stringify(fixed, null, 2));
    await form.getByRole("button", { name: "Add schema" }).click();
    await expect(form.getByRole("status")).toHaveText(`Added ${id}.`);
    const section = page.getByRole("region", { name: new RegExp(id) });
    await expect(section).toContainText("added at run time");
    const served = await fetch(`${kratosPublicUrl("ciam")}/schemas/${id}`);
    expect(served.status).toBe(200);
    expect(((await served.json()) as any).properties.traits.properties.nickname.title).toBe("Nickname");

    await section.getByRole("button", { name: "Set as default" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Set as default" }).click();
    await expect(
      page.getByRole("region", { name: new RegExp(id) }).getByText("default", { exact: true }),
    ).toBeVisible();
    const list = (await (await fetch(`${kratosAdminUrl("ciam")}/admin/olympus/identity-schemas`)).json()) as {
      id: string;
      default: boolean;
    }[];
    expect(list.filter((s) => s.default).map((s) => s.id)).toEqual([id]);

    // Audited with the administrator.
    await page.goto(`${athenaUrl("ciam")}/security?event=admin.identity_schemas.*&target=${id}`);
    await expect(page.getByTestId("audit-row")).toHaveCount(2);
    await expect(page.getByTestId("audit-row").first().getByRole("cell").nth(2)).toHaveText(
      /admin@demo\.user/,
    );

    const viewer = await (await browser.newContext()).newPage();
    await signIn(viewer, "ciam", "viewer", info);
    await viewer.goto(`${athenaUrl("ciam")}/schemas`);
    await expect(viewer.getByRole("region", { name: new RegExp(id) })).toBeVisible();
    await expect(viewer.getByRole("button", { name: "Set as default" })).toHaveCount(0);
    await expect(viewer.getByRole("form", { name: "Add a version" })).toHaveCount(0);
    expect(
      (await api(viewer, "ciam", "POST", "/api/schemas", { id: `${id}-x`, schema: fixed })).status(),
    ).toBe(403);
    expect((await api(viewer, "ciam", "PUT", "/api/schemas/default", { id: "default" })).status()).toBe(403);
    await viewer.context().close();
  });
});
