export interface SeedTarget {
  domain: string;
  /** Kratos admin API base URL. */
  kratosAdmin: string;
  /** Hydra admin API base URL, when the domain's OAuth2 API is up (clients are skipped otherwise). */
  hydraAdmin?: string;
  /** The deployment's secret NAME, for clients whose client_secret is `{secret.NAME}`. */
  secret?: (name: string) => string | undefined;
}

export interface SeedReport {
  domain: string;
  identities: { created: string[]; existing: string[] };
  clients: { created: string[]; existing: string[] };
}

export declare class SeedError extends Error {}
export declare function seedDomain(seedsDir: string, target: SeedTarget): Promise<SeedReport>;
export declare function secretEnvName(name: string): string;
export declare function describeSeed(r: SeedReport): string;
export declare function main(env: Record<string, string | undefined>): Promise<number>;
