/*
 * Offline password strength: zxcvbn-ts with its common-password and English dictionaries, so weak
 * passwords (`password`, `12345678`, `aaaaaaaa`, keyboard walks, names, l33t variants) are refused
 * with no network at all — the breached-password check (HIBP) comes on top where the network allows.
 * The dictionaries are large: they load on first use (or at start, see warmUpStrength), once.
 */
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

let estimator: Promise<ZxcvbnFactory> | undefined;

async function load(): Promise<ZxcvbnFactory> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]);
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
}

function instance(): Promise<ZxcvbnFactory> {
  estimator ??= load().catch((e) => {
    estimator = undefined;
    throw e;
  });
  return estimator;
}

/** Loads the dictionaries ahead of the first sign-up, so that request does not pay for it. */
export function warmUpStrength(): void {
  void instance().then(
    (z) => z.check("warm up the estimator 1"),
    () => {},
  );
}

export interface Strength {
  /** 0 (too guessable) … 4 (very unguessable), zxcvbn's scale. */
  score: 0 | 1 | 2 | 3 | 4;
  /** zxcvbn's warning, when it has one ("This is a heavily used password."). */
  warning?: string;
  suggestions: string[];
}

/**
 * Only this much of a password is scored: zxcvbn's matching grows with the square of the length (a
 * 47-character passphrase took 200 ms, 32 characters take a few tens), and a password whose first 32
 * characters already resist guessing is not made weaker by what follows.
 */
export const SCORED_LENGTH = 32;

/** Scores a password; `userInputs` (identifiers, names) count as words an attacker knows. */
export async function passwordStrength(password: string, userInputs: string[] = []): Promise<Strength> {
  const z = await instance();
  const inputs = userInputs
    .flatMap((u) => [u, ...u.toLowerCase().split(/[^\p{L}\p{N}]+/u)])
    .filter((u) => u.length >= 3)
    .slice(0, 20);
  const result = z.check(password.slice(0, SCORED_LENGTH), inputs);
  return {
    score: result.score as Strength["score"],
    ...(result.feedback.warning ? { warning: result.feedback.warning } : {}),
    suggestions: result.feedback.suggestions,
  };
}
