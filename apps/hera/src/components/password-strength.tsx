"use client";
import { useEffect, useState } from "react";
import { loadEstimator, type PasswordRules, strengthView } from "@/lib/password-strength";

export interface StrengthLabels {
  title: string;
  length: string;
  guessable: string;
  meter: string;
  levels: [string, string, string, string, string];
}

/**
 * The core's password rules and a strength meter under a form with a new-password field (sign-up,
 * settings). It follows whatever `input[name=password]` the form renders; the core decides on submit.
 */
export function PasswordStrength({ rules, labels }: { rules: PasswordRules; labels: StrengthLabels }) {
  const [password, setPassword] = useState("");
  const [score, setScore] = useState<number | undefined>(undefined);

  useEffect(() => {
    const onInput = (e: Event) => {
      const el = e.target;
      if (el instanceof HTMLInputElement && el.name === "password") setPassword(el.value);
    };
    document.addEventListener("input", onInput, true);
    return () => document.removeEventListener("input", onInput, true);
  }, []);

  useEffect(() => {
    setScore(undefined);
    if (!password || rules.minScore === 0) return;
    let live = true;
    loadEstimator().then(
      (z) => {
        if (live) setScore(z.check(password.slice(0, rules.scoredLength)).score);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [password, rules.minScore, rules.scoredLength]);

  const view = strengthView(password, score, rules);
  const mark = (ok: boolean | undefined) => (ok === undefined ? "•" : ok ? "✓" : "✗");
  return (
    <section className="hera-password-rules" aria-live="polite" data-testid="password-rules">
      <p>{labels.title}</p>
      <ul>
        <li data-ok={password ? String(view.lengthOk) : undefined}>
          {mark(password ? view.lengthOk : undefined)} {labels.length}
        </li>
        {rules.minScore > 0 ? (
          <li data-ok={view.strongEnough === undefined ? undefined : String(view.strongEnough)}>
            {mark(view.strongEnough)} {labels.guessable}
          </li>
        ) : null}
      </ul>
      {view.level !== undefined ? (
        <p>
          <label>
            {labels.meter}{" "}
            <meter
              min={0}
              max={4}
              low={2}
              high={3}
              optimum={4}
              value={view.level}
              data-testid="password-meter"
            >
              {view.level}/4
            </meter>{" "}
            <span>{labels.levels[view.level]}</span>
          </label>
        </p>
      ) : null}
    </section>
  );
}
