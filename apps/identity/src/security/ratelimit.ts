import type { Context, MiddlewareHandler } from "hono";
import type { AppContext } from "../app/context.ts";
import { OryError } from "../errors/index.ts";
import { isTrustedProxy, requestIp } from "./ip.ts";

/*
 * Per-address rate limits on the public flow submit routes: a token bucket per (route, address) held in
 * this replica's memory. With N replicas behind a load balancer an address gets up to N times the
 * configured rate; that is acceptable because the limits that matter for account safety (lockouts) are
 * counted in the database and shared. The map is bounded: full buckets are dropped, and when it still
 * grows past MAX_KEYS the oldest entries go first.
 */

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_KEYS = 100_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {}

  /** Takes a token; returns 0 when allowed, else the seconds until one is available. */
  take(key: string, now = Date.now()): number {
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.capacity, b.tokens + ((now - b.at) / 1000) * this.perSecond);
      b.at = now;
      // Re-inserting keeps Map order by last use, so eviction drops the least recently seen.
      this.buckets.delete(key);
    } else {
      b = { tokens: this.capacity, at: now };
    }
    this.buckets.set(key, b);
    if (this.buckets.size > MAX_KEYS) this.evict(now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  private evict(now: number): void {
    for (const [k, b] of this.buckets) {
      if (this.buckets.size <= MAX_KEYS * 0.9) break;
      const full = b.tokens + ((now - b.at) / 1000) * this.perSecond >= this.capacity;
      if (full || this.buckets.size > MAX_KEYS) this.buckets.delete(k);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** The routes limited: every self-service flow submission. */
const LIMITED = /^\/self-service\/(login|registration|recovery|verification|settings)$/;

export function tooManyRequests(retryAfter: number): OryError {
  return new OryError(429, "Too many requests", {
    reason: `Too many requests from this address. Please retry in ${retryAfter} second${retryAfter === 1 ? "" : "s"}.`,
    details: { retry_after_seconds: retryAfter },
  });
}

/** Middleware for the public app; a no-op when `security.rate_limit.enabled` is false. */
export function rateLimit(ctx: AppContext): MiddlewareHandler {
  const cfg = ctx.config.security.rate_limit;
  const buckets = new TokenBuckets(cfg.burst ?? cfg.requests_per_minute, cfg.requests_per_minute / 60);
  return async (c: Context, next) => {
    if (!cfg.enabled || c.req.method !== "POST" || !LIMITED.test(c.req.path)) return next();
    const ip = requestIp(c, ctx);
    // Our own proxy without X-Forwarded-For: no client address to limit (see ip.ts).
    if (isTrustedProxy(ctx, ip)) return next();
    const wait = buckets.take(`${c.req.path} ${ip}`);
    if (wait > 0) {
      return c.json(tooManyRequests(wait).toBody(), 429, { "Retry-After": String(wait) });
    }
    return next();
  };
}
