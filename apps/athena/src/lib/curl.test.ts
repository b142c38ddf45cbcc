import { describe, expect, it } from "vitest";
import { clientCredentialsCurl } from "./curl";

describe("client_credentials curl example", () => {
  it("uses basic auth by default and quotes everything for a POSIX shell", () => {
    expect(
      clientCredentialsCurl({
        tokenUrl: "http://localhost:3102/oauth2/token",
        clientId: "svc",
        secret: "s'cr",
        scope: "a b",
      }),
    ).toBe(
      [
        "curl -s -X POST 'http://localhost:3102/oauth2/token' \\",
        "  -u 'svc:s'\\''cr' \\",
        "  -d grant_type=client_credentials \\",
        "  -d scope='a b'",
      ].join("\n"),
    );
  });
  it("uses the form body for client_secret_post, and a variable when the secret is not at hand", () => {
    const c = clientCredentialsCurl({
      tokenUrl: "https://x/oauth2/token",
      clientId: "svc",
      method: "client_secret_post",
    });
    expect(c).toContain("-d client_id='svc'");
    expect(c).toContain('-d client_secret="$CLIENT_SECRET"');
  });
});
