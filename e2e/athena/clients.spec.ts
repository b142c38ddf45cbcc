import { expect, test } from "@playwright/test";
import { api, athenaUrl, signIn } from "./support.ts";
import { ISSUER, kratosAdminUrl, oauth2AdminUrl } from "./stack.ts";

/** A client_credentials token request at the IAM provider; the HTTP status. */
async function clientCredentials(clientId: string, secret: string): Promise<number> {
  const res = await fetch(`${ISSUER}/oauth2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "identities:read" }),
  });
  return res.status;
}

/** An administrator edits an OAuth2 client in Athena IAM and rotates its secret with an overlap. */
test.describe("OAuth2 clients in Athena IAM", () => {
  test("finds a client, edits it (a core refusal shown on its field), rotates its secret with an overlap", async ({
    page,
  }, info) => {
    await signIn(page, "iam", "admin", info);
    const name = `e2e rotation ${Date.now().toString(36)}`;
    const created = await api(page, "iam", "POST", "/api/clients", {
      client_name: name,
      client_type: "confidential",
      grant_types: ["client_credentials"],
      scope: "identities:read",
    });
    expect(created.status()).toBe(201);
    const { client_id: clientId, client_secret: first } = (await created.json()) as {
      client_id: string;
      client_secret: string;
    };

    // The list finds it by a word of its name, and a filter that excludes it leaves it out.
    await page.goto(`${athenaUrl("iam")}/clients`);
    await page.getByRole("searchbox", { name: "Search" }).fill(name.split(" ")[2]!);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/\/clients\?q=/);
    await expect(page.getByTestId("clients-total")).toContainText("1 client of");
    await expect(page.getByRole("link", { name })).toBeVisible();
    await page.getByLabel("Type", { exact: true }).selectOption("public");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByRole("link", { name })).toHaveCount(0);
    await expect(page.getByText("No client matches")).toBeVisible();
    await page.getByLabel("Type", { exact: true }).selectOption("confidential");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();

    // private_key_jwt with a private key in the set: the core refuses it, under the keys field.
    await page.getByLabel("Token endpoint authentication").selectOption("private_key_jwt");
    await page
      .getByLabel(/Or the public keys/)
      .fill(JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0" }] }));
    await page.getByRole("button", { name: "Save changes" }).click();
    const keysError = page.locator("#jwks-error");
    await expect(keysError).toContainText("private or symmetric");
    await expect(page.getByLabel(/Or the public keys/)).toHaveAttribute("aria-invalid", "true");

    // Back to a secret; the consent-screen links, a CORS origin and an audience are saved.
    await page.getByLabel("Token endpoint authentication").selectOption("client_secret_post");
    await page.getByLabel("Logo URL").fill("https://machine.example/logo.png");
    await page.getByLabel("Privacy policy URL").fill("https://machine.example/privacy");
    await page.getByLabel("Terms of service URL").fill("https://machine.example/terms");
    await page.getByLabel(/Allowed CORS origins/).fill("https://machine.example");
    await page.getByLabel(/^Audience/).fill("https://api.machine.example");
    await page.getByLabel("JWT bearer assertion (RFC 7523)").check();
    await page.getByText("Token lifetimes").click();
    await page.getByLabel("client_credentials: access token lifetime").fill("45m");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel("Token endpoint authentication")).toHaveValue("client_secret_post");
    await expect(page.getByLabel("Logo URL")).toHaveValue("https://machine.example/logo.png");
    await expect(page.getByLabel(/Allowed CORS origins/)).toHaveValue("https://machine.example");
    const stored = (await (
      await fetch(`${oauth2AdminUrl("iam")}/admin/clients/${clientId}`)
    ).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({
      token_endpoint_auth_method: "client_secret_post",
      policy_uri: "https://machine.example/privacy",
      tos_uri: "https://machine.example/terms",
      allowed_cors_origins: ["https://machine.example"],
      audience: ["https://api.machine.example"],
    });
    expect(stored.grant_types).toContain("urn:ietf:params:oauth:grant-type:jwt-bearer");
    expect(stored.client_credentials_grant_access_token_lifespan).toBe("45m0s");
    await expect(page.getByLabel("client_credentials: access token lifetime")).toHaveValue("45m0s");
    // The secret was kept through the edits (it is only ever rotated).
    await page.getByLabel("Token endpoint authentication").selectOption("client_secret_basic");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    expect(await clientCredentials(clientId, first)).toBe(200);

    // Rotate, keeping the old secret for an hour: the new one is shown once, with the old one's end.
    await page.getByRole("button", { name: "Rotate secret" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Keep the current secret working for").selectOption({ label: "1 hour" });
    await expect(dialog).toContainText("Both secrets work for 1 hour");
    await dialog.getByRole("button", { name: "Rotate secret" }).click();
    const second = await page.getByTestId("rotated-secret").inputValue();
    expect(second).not.toBe(first);
    await expect(page.getByTestId("old-secret-end")).toContainText("keeps working until");
    expect(await clientCredentials(clientId, second)).toBe(200);
    expect(await clientCredentials(clientId, first)).toBe(200);
    // After a reload the secret is gone from the page; the client says when the old one ends.
    await page.reload();
    await expect(page.getByTestId("rotated-secret")).toHaveCount(0);
    await expect(page.getByTestId("previous-secret-ends")).toContainText("works until");

    // A second rotation without an overlap ends both earlier secrets at once.
    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
    const third = await page.getByTestId("rotated-secret").inputValue();
    await expect(page.getByTestId("old-secret-end")).toHaveText("The old secret no longer works.");
    expect(await clientCredentials(clientId, third)).toBe(200);
    expect(await clientCredentials(clientId, second)).toBe(401);
    expect(await clientCredentials(clientId, first)).toBe(401);

    // Both rotations are in the audit log with their overlaps and the administrator.
    const rows = (await (
      await fetch(
        `${kratosAdminUrl("iam")}/admin/olympus/audit?event=admin.clients.secrets.rotate&target=${encodeURIComponent(clientId)}`,
      )
    ).json()) as { metadata: { overlap_seconds: number; admin?: string } }[];
    expect(rows.map((r) => r.metadata.overlap_seconds)).toEqual([0, 3600]);
    // Athena names the signed-in administrator on each write (X-Olympus-Actor).
    for (const r of rows) expect(r.metadata.admin).toBe("admin@demo.user");

    expect((await api(page, "iam", "DELETE", `/api/clients/${encodeURIComponent(clientId)}`)).ok()).toBe(
      true,
    );
  });

  test("a client that signs request objects (JAR): keys, algorithm and request URIs saved and shown again", async ({
    page,
  }, info) => {
    await signIn(page, "iam", "admin", info);
    const name = `e2e jar ${Date.now().toString(36)}`;
    const created = await api(page, "iam", "POST", "/api/clients", {
      client_name: name,
      client_type: "confidential",
      grant_types: ["authorization_code"],
      redirect_uris: ["https://jar.example/cb"],
      scope: "openid",
    });
    expect(created.status()).toBe(201);
    const { client_id: clientId } = (await created.json()) as { client_id: string };
    await page.goto(`${athenaUrl("iam")}/clients/${encodeURIComponent(clientId)}`);
    await expect(page.getByRole("heading", { name })).toBeVisible();
    // The keys fields appear for a secret-based client only once it signs request objects.
    await expect(page.getByLabel(/Or the public keys/)).toHaveCount(0);
    await page.getByLabel(/Signs request objects with its own keys/).check();
    const jwk = {
      kty: "EC",
      crv: "P-256",
      x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
      y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    };
    await page.getByLabel(/Or the public keys/).fill(JSON.stringify({ keys: [jwk] }));
    await page.getByLabel("Request object signing algorithm").selectOption("ES256");
    // A request URI that is not a web address is refused on its field.
    await page.getByLabel(/^Request URIs/).fill("javascript:alert(1)");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.locator("#request_uris-error")).toBeVisible();
    await page.getByLabel(/^Request URIs/).fill("https://jar.example/request.jwt");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await page.reload();
    await expect(page.getByLabel(/Signs request objects with its own keys/)).toBeChecked();
    await expect(page.getByLabel("Request object signing algorithm")).toHaveValue("ES256");
    await expect(page.getByLabel(/^Request URIs/)).toHaveValue("https://jar.example/request.jwt");
    const stored = (await (
      await fetch(`${oauth2AdminUrl("iam")}/admin/clients/${clientId}`)
    ).json()) as Record<string, unknown>;
    expect(stored).toMatchObject({
      token_endpoint_auth_method: "client_secret_basic",
      request_object_signing_alg: "ES256",
      request_uris: ["https://jar.example/request.jwt"],
      jwks: { keys: [expect.objectContaining({ x: jwk.x })] },
    });
    expect((await api(page, "iam", "DELETE", `/api/clients/${encodeURIComponent(clientId)}`)).ok()).toBe(
      true,
    );
  });
});
