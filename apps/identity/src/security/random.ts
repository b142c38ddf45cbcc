import { createHash, randomBytes, randomInt, randomUUID, timingSafeEqual } from "node:crypto";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A random string of [A-Za-z0-9] drawn without modulo bias. */
export function randomAlnum(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/** A 6-digit one-time code. */
export function randomDigits(length = 6): string {
  let out = "";
  for (let i = 0; i < length; i++) out += String(randomInt(10));
  return out;
}

export const uuid = (): string => randomUUID();

export function sha256hex(value: string | Buffer): string {
  return createHash("sha256").update(value).digest("hex");
}

export function randomBase64(bytes: number): string {
  return randomBytes(bytes).toString("base64");
}

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
