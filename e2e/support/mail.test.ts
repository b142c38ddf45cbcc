import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeIn, linkIn, mailFromEnv, mailslurper, waitForMail } from "./mail.ts";

const recorded = (name: string) => readFileSync(new URL(`./recorded/${name}`, import.meta.url), "utf8");

// A stand-in that replays MailSlurper's recorded answers, and records what the client asked for.
let server: Server;
let base = "";
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      seen.push(`${req.method} ${req.url} ${body}`.trim());
      res.setHeader("content-type", "application/json");
      if (req.method === "DELETE") return res.end('"ok"');
      const page = new URL(req.url!, "http://x").searchParams.get("pageNumber");
      res.end(recorded(page === "2" ? "mailslurper-page2.json" : "mailslurper-page1.json"));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("the MailSlurper client (recorded responses)", () => {
  it("reads every page and normalizes recipients", async () => {
    const mails = await mailslurper(base).list();
    expect(mails.map((m) => [m.to, m.subject])).toEqual([
      [["customer1@demo.user"], "Olympus: please verify your email address"],
      [["customer1@demo.user"], "Olympus: recover access to your account"],
    ]);
    expect(seen.filter((s) => s.startsWith("GET"))).toEqual([
      "GET /mail?pageNumber=1",
      "GET /mail?pageNumber=2",
    ]);
  });

  it("finds codes in HTML and text bodies", async () => {
    const client = mailslurper(base);
    const verify = await waitForMail(client, "customer1@demo.user", {
      match: (m) => m.subject.includes("verify"),
    });
    expect(codeIn(verify)).toBe("482913");
    const recover = await waitForMail(client, "Customer1@demo.user", {
      match: (m) => m.subject.includes("recover"),
    });
    expect(codeIn(recover)).toBe("905112");
  });

  it("finds the code's link in HTML (unescaping &amp;) and text bodies", async () => {
    const client = mailslurper(base);
    const verify = await waitForMail(client, "customer1@demo.user", {
      match: (m) => m.subject.includes("verify"),
    });
    expect(linkIn(verify)).toBe(
      "http://localhost:3000/.ory/self-service/verification?flow=5b1f7c9e-2d4a-4e8b-9c3f-7a6d2e1b0c44&code=482913",
    );
    expect(() => linkIn(verify, "recovery")).toThrow(/no recovery link/);
    const recover = await waitForMail(client, "customer1@demo.user", {
      match: (m) => m.subject.includes("recover"),
    });
    expect(linkIn(recover, "recovery")).toBe(
      "http://localhost:3000/.ory/self-service/recovery?flow=9e0a4d2c-6b1f-4c7e-8a3d-5f2b1c0e9d77&code=905112",
    );
  });

  it("clears with MailSlurper's prune call", async () => {
    await mailslurper(base).clear();
    expect(seen.at(-1)).toBe('DELETE /mail {"pruneCode":"all"}');
  });

  it("is selected by config", () => {
    expect(() => mailFromEnv({ E2E_MAIL_API: "pop3" })).toThrow(/maildev or mailslurper/);
    expect(mailFromEnv({ E2E_MAIL_API: "mailslurper", E2E_MAIL_URL: base })).toBeTruthy();
  });
});
