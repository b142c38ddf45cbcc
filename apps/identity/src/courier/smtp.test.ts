import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../config/index.ts";
import { testConfig } from "../testing/index.ts";
import { smtpOptions } from "./smtp.ts";

describe("courier.smtp.connection_uri", () => {
  it("requires STARTTLS on smtp:// unless disable_starttls=true", () => {
    expect(smtpOptions("smtp://mail.example.com")).toMatchObject({
      host: "mail.example.com",
      port: 25,
      secure: false,
      requireTLS: true,
      pool: true,
    });
    const plain = smtpOptions("smtp://127.0.0.1:1025/?disable_starttls=true");
    expect(plain).toMatchObject({ host: "127.0.0.1", port: 1025, secure: false, ignoreTLS: true });
    expect(plain.requireTLS).toBeUndefined();
  });

  it("speaks TLS from the start on smtps:// and honours skip_ssl_verify, server_name, local_name", () => {
    expect(smtpOptions("smtps://smtp.example.com")).toMatchObject({
      port: 465,
      secure: true,
      tls: { rejectUnauthorized: true, servername: "smtp.example.com" },
    });
    expect(
      smtpOptions(
        "smtps://10.0.0.5:2465/?skip_ssl_verify=true&server_name=mail.example.com&local_name=core.example.com",
      ),
    ).toMatchObject({
      host: "10.0.0.5",
      port: 2465,
      name: "core.example.com",
      tls: { rejectUnauthorized: false, servername: "mail.example.com" },
    });
  });

  it("takes credentials from the user info, percent-decoded", () => {
    expect(smtpOptions("smtp://apikey:p%40ss%2Fword@smtp.example.com:587").auth).toEqual({
      user: "apikey",
      pass: "p@ss/word",
    });
    expect(smtpOptions("smtp://smtp.example.com").auth).toBeUndefined();
  });

  it("rejects anything but smtp:// and smtps://", () => {
    expect(() => smtpOptions("http://smtp.example.com")).toThrow(/connection_uri/);
    expect(() => smtpOptions("not a url")).toThrow(/connection_uri/);
    // A bad URI stops the process at start, naming the key.
    const bad = testConfig({
      dsn: "memory://",
      overrides: { courier: { smtp: { connection_uri: "mailto:ops@example.com" } } },
    });
    expect(() => parseConfig(bad)).toThrow(ConfigError);
    expect(() => parseConfig(bad)).toThrow(/courier\.smtp\.connection_uri/);
  });
});
