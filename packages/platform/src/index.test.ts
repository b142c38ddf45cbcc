import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import {
  ADMIN_PORTS,
  CORE_URL_ENV,
  DOMAINS,
  domainEnvName,
  isDomain,
  localCoreUrls,
  PORTS,
} from "./index.mjs";

it("gives each domain's core four consecutive ports from its public port", () => {
  for (const d of DOMAINS) {
    const p = PORTS[d];
    expect([p.admin, p.oauth2Public, p.oauth2Admin]).toEqual([p.public + 1, p.public + 2, p.public + 3]);
  }
  expect(ADMIN_PORTS).toEqual([3101, 3103, 4101, 4103]);
});

it("is the ports table of docs/deploying.md", () => {
  const doc = readFileSync(new URL("../../../docs/deploying.md", import.meta.url), "utf8");
  for (const d of DOMAINS) {
    for (const port of Object.values(PORTS[d])) expect(doc).toContain(String(port));
  }
  for (const port of [PORTS.site, PORTS.mailUi, PORTS.smtp, PORTS.postgres])
    expect(doc).toContain(String(port));
});

it("names the core URL variables, bare for the own domain and prefixed for a named one", () => {
  expect(Object.values(CORE_URL_ENV)).toEqual([
    "KRATOS_PUBLIC_URL",
    "KRATOS_ADMIN_URL",
    "HYDRA_PUBLIC_URL",
    "HYDRA_ADMIN_URL",
  ]);
  expect(domainEnvName("iam", "kratosAdmin")).toBe("IAM_KRATOS_ADMIN_URL");
  expect(domainEnvName("ciam", "hydraPublic")).toBe("CIAM_HYDRA_PUBLIC_URL");
});

it("builds the local core URLs on loopback, or on the browser-facing host", () => {
  expect(localCoreUrls("ciam")).toEqual({
    kratosPublic: "http://127.0.0.1:3100",
    kratosAdmin: "http://127.0.0.1:3101",
    hydraPublic: "http://127.0.0.1:3102",
    hydraAdmin: "http://127.0.0.1:3103",
  });
  expect(localCoreUrls("iam", "localhost").hydraPublic).toBe("http://localhost:4102");
});

it("knows its domains and nothing else", () => {
  expect(DOMAINS.filter(isDomain)).toEqual(["ciam", "iam"]);
  for (const v of ["CIAM", "", "admin", undefined, 3]) expect(isDomain(v)).toBe(false);
});
