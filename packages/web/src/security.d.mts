/** CSP directives by name; a directive given here replaces the common one. */
export type CspDirectives = Record<string, string[]>;

export interface CspOptions {
  nonce: string;
  /** `next dev`: eval for fast refresh. */
  development: boolean;
  /** Served over https: `upgrade-insecure-requests`. */
  https?: boolean;
  /** Sources added to script-src after the nonce (e.g. a captcha provider). */
  scriptSrc?: string[];
  /** Directives that replace or extend the common ones (order: common first, then new ones). */
  directives?: CspDirectives;
}

export interface HeaderOptions {
  production: boolean;
  https: boolean;
  referrerPolicy: "same-origin" | "strict-origin-when-cross-origin";
  /** Permissions-Policy features turned off, e.g. ["camera", "microphone"]. */
  denyFeatures: string[];
  /** Cross-Origin-Opener-Policy: same-origin. */
  isolateOpener?: boolean;
  /** Strict-Transport-Security on a production deployment served over https (default true). */
  hsts?: boolean;
}

export declare function contentSecurityPolicy(o: CspOptions): string;
export declare function securityHeaders(o: HeaderOptions): Record<string, string>;
export declare function createNonce(): string;
