export type Domain = "ciam" | "iam";
export declare const DOMAINS: readonly ["ciam", "iam"];
export declare function isDomain(value: unknown): value is Domain;

export interface DomainPorts {
  readonly hera: number;
  readonly athena: number;
  /** Kratos public API. */
  readonly public: number;
  /** Kratos admin API (never public). */
  readonly admin: number;
  /** Hydra public API (the OAuth2 issuer). */
  readonly oauth2Public: number;
  /** Hydra admin API (never public). */
  readonly oauth2Admin: number;
}

export declare const PORTS: {
  readonly site: 2000;
  readonly ciam: DomainPorts & {
    readonly hera: 3000;
    readonly athena: 3001;
    readonly public: 3100;
    readonly admin: 3101;
    readonly oauth2Public: 3102;
    readonly oauth2Admin: 3103;
  };
  readonly iam: DomainPorts & {
    readonly hera: 4000;
    readonly athena: 4001;
    readonly public: 4100;
    readonly admin: 4101;
    readonly oauth2Public: 4102;
    readonly oauth2Admin: 4103;
  };
  readonly mailUi: 5434;
  readonly smtp: 1025;
  readonly postgres: 5432;
};
export declare const ADMIN_PORTS: readonly number[];

export interface CoreUrls {
  kratosPublic: string;
  kratosAdmin: string;
  hydraPublic: string;
  hydraAdmin: string;
}
export declare const CORE_URL_ENV: {
  readonly kratosPublic: "KRATOS_PUBLIC_URL";
  readonly kratosAdmin: "KRATOS_ADMIN_URL";
  readonly hydraPublic: "HYDRA_PUBLIC_URL";
  readonly hydraAdmin: "HYDRA_ADMIN_URL";
};
export declare const DOMAIN_ENV: "OLYMPUS_DOMAIN";
export declare function domainEnvName(domain: Domain, key: keyof CoreUrls): string;
export declare function localCoreUrls(domain: Domain, host?: string): CoreUrls;
