// @ts-check
// The platform's layout, stated once (docs/deploying.md is the reader's version of it): the two
// identity domains, where every service listens locally and in compose, and the names of the
// environment variables that point a program at a domain's identity core. Read by the SDK, the
// apps, octl's manifest, deploy/, the compose seed and the e2e stacks.

/** @type {readonly ["ciam", "iam"]} */
export const DOMAINS = Object.freeze(/** @type {const} */ (["ciam", "iam"]));

/** @param {unknown} value @returns {value is "ciam" | "iam"} */
export function isDomain(value) {
  return value === "ciam" || value === "iam";
}

/**
 * One identity core per domain listens on four consecutive ports from its `public` port; Hera and
 * Athena of a domain sit on the domain's thousand (3000/3001 for CIAM, 4000/4001 for IAM).
 */
export const PORTS = Object.freeze({
  site: 2000,
  ciam: Object.freeze({
    hera: 3000,
    athena: 3001,
    public: 3100,
    admin: 3101,
    oauth2Public: 3102,
    oauth2Admin: 3103,
  }),
  iam: Object.freeze({
    hera: 4000,
    athena: 4001,
    public: 4100,
    admin: 4101,
    oauth2Public: 4102,
    oauth2Admin: 4103,
  }),
  mailUi: 5434,
  smtp: 1025,
  postgres: 5432,
});

/** Ports that must never be reachable from outside (docs/deploying.md: admin APIs are never public). */
export const ADMIN_PORTS = Object.freeze(DOMAINS.flatMap((d) => [PORTS[d].admin, PORTS[d].oauth2Admin]));

/**
 * The variables through which a program finds its own domain's identity core (Hera, Athena). A
 * program that addresses both domains (the SDK, seeding) prefixes them: `CIAM_KRATOS_ADMIN_URL`.
 */
export const CORE_URL_ENV = Object.freeze({
  kratosPublic: "KRATOS_PUBLIC_URL",
  kratosAdmin: "KRATOS_ADMIN_URL",
  hydraPublic: "HYDRA_PUBLIC_URL",
  hydraAdmin: "HYDRA_ADMIN_URL",
});

/** The variable that names the domain a program serves (`ciam` when unset). */
export const DOMAIN_ENV = "OLYMPUS_DOMAIN";

/**
 * The name of a core URL variable for a named domain: `domainEnvName("iam", "kratosAdmin")` is
 * `IAM_KRATOS_ADMIN_URL`.
 * @param {"ciam" | "iam"} domain
 * @param {keyof typeof CORE_URL_ENV} key
 */
export function domainEnvName(domain, key) {
  return `${domain.toUpperCase()}_${CORE_URL_ENV[key]}`;
}

/**
 * The local URLs of a domain's core (what `octl deploy` and the compose stack's shared network
 * give). Servers reach the core on 127.0.0.1; `host` "localhost" gives the browser-facing form.
 * @param {"ciam" | "iam"} domain
 * @param {string} [host]
 */
export function localCoreUrls(domain, host = "127.0.0.1") {
  const p = PORTS[domain];
  return {
    kratosPublic: `http://${host}:${p.public}`,
    kratosAdmin: `http://${host}:${p.admin}`,
    hydraPublic: `http://${host}:${p.oauth2Public}`,
    hydraAdmin: `http://${host}:${p.oauth2Admin}`,
  };
}
