// Cost of the offline password-strength check (zxcvbn-ts, issue 16 finding 6) on the sign-up and
// password-change path, next to the argon2id hash those requests already pay (the core's default
// parameters: 19 MiB, 2 iterations). Run: pnpm --filter @olympus/bench exec tsx src/password-strength.ts
import { hash } from "@node-rs/argon2";
import { passwordStrength } from "@olympus/identity";

const PASSWORDS = [
  "password",
  "12345678",
  "CustomerTest123!",
  "correct horse battery",
  "a long passphrase 42",
  "Right-password-2026!",
  "Tr0ub4dor&3",
  "kallisto-vega-77",
  "an even longer pass phrase with many words 2026",
  "x".repeat(100),
];
const ROUNDS = Number(process.env.ROUNDS ?? 20);

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), max: s[s.length - 1]! };
}
const fmt = (n: number) => n.toFixed(1);

let t = performance.now();
await passwordStrength("load the dictionaries");
const load = performance.now() - t;

for (let i = 0; i < 50; i++) await passwordStrength(`warm up ${i}`);
const strength: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const p of PASSWORDS) {
    t = performance.now();
    await passwordStrength(p, ["someone@example.com"]);
    strength.push(performance.now() - t);
  }
}
const argon: number[] = [];
for (let r = 0; r < Math.max(5, ROUNDS / 2); r++) {
  t = performance.now();
  await hash("CustomerTest123!", { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  argon.push(performance.now() - t);
}
const s = stats(strength);
const a = stats(argon);
console.log(`dictionary load (once per process): ${fmt(load)} ms`);
console.log(
  `strength check: median ${fmt(s.median)} ms, p95 ${fmt(s.p95)} ms, max ${fmt(s.max)} ms (${strength.length} checks)`,
);
console.log(`argon2id hash:  median ${fmt(a.median)} ms, p95 ${fmt(a.p95)} ms`);
console.log(`ratio strength/argon2 (median): ${(s.median / a.median).toFixed(2)}`);
