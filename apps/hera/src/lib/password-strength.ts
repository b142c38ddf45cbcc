import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

/** The core's password rules (GET /admin/olympus/password-policy), as Hera shows them. */
export interface PasswordRules {
  minLength: number;
  minScore: number;
  scoredLength: number;
}

/** What the form shows before the core has been asked (the core's defaults). */
export const DEFAULT_RULES: PasswordRules = { minLength: 8, minScore: 3, scoredLength: 32 };

export interface StrengthView {
  lengthOk: boolean;
  /** undefined while the estimator loads (or when the core checks no strength). */
  strongEnough: boolean | undefined;
  /** 0–4 for the meter, or undefined when there is nothing to show. */
  level: number | undefined;
}

/** The meter's state for `password` with zxcvbn's `score` (pure: the component draws it). */
export function strengthView(
  password: string,
  score: number | undefined,
  rules: PasswordRules,
): StrengthView {
  const lengthOk = [...password].length >= rules.minLength;
  if (!password) return { lengthOk, strongEnough: undefined, level: undefined };
  if (rules.minScore === 0) return { lengthOk, strongEnough: true, level: score };
  return {
    lengthOk,
    strongEnough: score === undefined ? undefined : score >= rules.minScore,
    level: score,
  };
}

let estimator: Promise<ZxcvbnFactory> | undefined;

/**
 * The same estimator and dictionaries as the core, loaded in the browser only when someone starts
 * typing a new password (a few hundred kB, fetched as separate chunks).
 */
export function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]).then(
    ([{ ZxcvbnFactory }, common, en]) =>
      new ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  estimator.catch(() => {
    estimator = undefined;
  });
  return estimator;
}
