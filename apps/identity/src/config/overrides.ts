import type { Config } from "./index.ts";

/*
 * The run-time overrides of a few security settings (Athena's settings vault, read by
 * security/overrides.ts): their own typed store beside the configuration, which is never written.
 */

/** The vault's valid values, by key, in the vault's unit (seconds for durations). */
export interface OverrideValues {
  "captcha.enabled"?: boolean;
  "captcha.site_key"?: string;
  "captcha.secret_key"?: string;
  "security.brute_force.max_attempts"?: number;
  "security.brute_force.ip_max_attempts"?: number;
  "security.brute_force.lockout_duration_seconds"?: number;
  "security.brute_force.window_seconds"?: number;
  "security.breached_password.mode"?: "block" | "warn";
}

/** The run-time overrides of one core (built by the composition root, app/create.ts). */
export class SettingsOverrides {
  private values: Readonly<OverrideValues> = {};

  /** What is overridden now (a copy). */
  current(): OverrideValues {
    return { ...this.values };
  }

  /** Replaces what is overridden (`applyVaultOverrides` after reading the vault). */
  replace(values: OverrideValues): void {
    this.values = Object.freeze({ ...values });
  }

  captcha(config: Config): Config["captcha"] {
    const o = this.values;
    return {
      ...config.captcha,
      enabled: o["captcha.enabled"] ?? config.captcha.enabled,
      site_key: o["captcha.site_key"] ?? config.captcha.site_key,
      secret_key: o["captcha.secret_key"] ?? config.captcha.secret_key,
    };
  }

  bruteForce(config: Config): Config["security"]["brute_force"] {
    const o = this.values;
    const bf = config.security.brute_force;
    const ms = (s: number | undefined, fallback: number) => (s === undefined ? fallback : s * 1000);
    return {
      ...bf,
      max_attempts: o["security.brute_force.max_attempts"] ?? bf.max_attempts,
      ip_max_attempts: o["security.brute_force.ip_max_attempts"] ?? bf.ip_max_attempts,
      lockout_duration: ms(o["security.brute_force.lockout_duration_seconds"], bf.lockout_duration),
      window: ms(o["security.brute_force.window_seconds"], bf.window),
    };
  }

  breachedMode(config: Config): "block" | "warn" | undefined {
    return this.values["security.breached_password.mode"] ?? config.security.breached_password.mode;
  }
}
