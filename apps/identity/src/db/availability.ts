import { type Deadline, deadline } from "./deadline.ts";

/**
 * The database availability gate. While PostgreSQL cannot be reached, requests must fail fast with 503
 * instead of queueing behind connect and query time-outs, and the core must notice by itself, within
 * about a second, when the database is back.
 *
 * The gate is "up" until a probe (a `select 1` on a dedicated one-connection client with a short
 * connect and answer time-out) fails. A probe runs when a request has waited `slowMs` (a stalled
 * database shows itself only as slowness), when a request failed with a connection error (a cut or a
 * refused connection), and every `retryMs` while down. Going down settles every guarded request still
 * waiting with {@link DatabaseUnavailableError} (answered 503) and calls `onDown` (the client drops
 * its pooled connections there: a half-open one would otherwise hang the next request); while down,
 * guarded requests are refused at once. The first successful probe brings the gate up again.
 */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  readonly code = "DB_UNAVAILABLE";
  constructor(message = "The database is unavailable.", options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface AvailabilityOptions {
  /** A guarded request waiting this long triggers a probe. Default 250 ms. */
  slowMs?: number;
  /** A probe not answered within this is a failure. Default 1 250 ms. */
  probeTimeoutMs?: number;
  /** Pause between probes while down. Default 200 ms. */
  retryMs?: number;
  /** A successful probe younger than this is trusted without probing again. Default 250 ms. */
  freshMs?: number;
  onDown?: (cause: unknown) => void;
  onUp?: (downForMs: number) => void;
}

export interface AvailabilityState {
  up: boolean;
  /** When the gate last went down (epoch ms), if ever. */
  downSince?: number;
  /** How many times the gate went down. */
  outages: number;
}

export class Availability {
  #down = false;
  #downSince = 0;
  #outages = 0;
  #lastOk = 0;
  #probing: Promise<boolean> | undefined;
  #loop: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #waiters = new Set<(e: Error) => void>();
  readonly #probe: () => Promise<void>;
  readonly #opts: Required<Omit<AvailabilityOptions, "onDown" | "onUp">> &
    Pick<AvailabilityOptions, "onDown" | "onUp">;

  constructor(probe: () => Promise<void>, opts: AvailabilityOptions = {}) {
    this.#probe = probe;
    this.#opts = {
      slowMs: opts.slowMs ?? 250,
      probeTimeoutMs: opts.probeTimeoutMs ?? 1_250,
      retryMs: opts.retryMs ?? 200,
      freshMs: opts.freshMs ?? 250,
      onDown: opts.onDown,
      onUp: opts.onUp,
    };
  }

  get up(): boolean {
    return !this.#down;
  }

  state(): AvailabilityState {
    return {
      up: !this.#down,
      ...(this.#downSince ? { downSince: this.#downSince } : {}),
      outages: this.#outages,
    };
  }

  /**
   * Runs a request's work under the gate: refused at once while down; settled with
   * {@link DatabaseUnavailableError} as soon as the gate goes down while it waits. The work itself is
   * not cancelled (it ends on its own, its outcome all-or-nothing by its transaction).
   */
  guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.#down) return Promise.reject(new DatabaseUnavailableError());
    return new Promise<T>((resolve, reject) => {
      const onDown = (e: Error) => reject(e);
      this.#waiters.add(onDown);
      const slow = setTimeout(() => this.check(), this.#opts.slowMs);
      slow.unref();
      let p: Promise<T>;
      try {
        p = work();
      } catch (e) {
        p = Promise.reject(e);
      }
      p.then(resolve, reject).finally(() => {
        this.#waiters.delete(onDown);
        clearTimeout(slow);
      });
    });
  }

  /** A query failed with a connection error: find out whether the database is gone. */
  failed(): void {
    this.check(true);
  }

  /** Probes unless a probe is running or (unless `force`) one succeeded a moment ago. */
  check(force = false): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (this.#probing) return this.#probing;
    if (!force && !this.#down && performance.now() - this.#lastOk < this.#opts.freshMs) {
      return Promise.resolve(true);
    }
    const probing = this.#runProbe().finally(() => {
      if (this.#probing === probing) this.#probing = undefined;
    });
    this.#probing = probing;
    return probing;
  }

  async #runProbe(): Promise<boolean> {
    let timer: Deadline | undefined;
    try {
      await Promise.race([
        this.#probe(),
        new Promise<never>((_, reject) => {
          timer = deadline(this.#opts.probeTimeoutMs, () =>
            reject(new DatabaseUnavailableError("The database did not answer the probe in time.")),
          );
        }),
      ]);
      this.#lastOk = performance.now();
      if (this.#down) this.#markUp();
      return true;
    } catch (e) {
      this.#markDown(e);
      return false;
    } finally {
      timer?.clear();
    }
  }

  #markDown(cause: unknown): void {
    if (this.#down || this.#stopped) return;
    this.#down = true;
    this.#downSince = Date.now();
    this.#outages++;
    const err = new DatabaseUnavailableError(undefined, { cause });
    for (const w of this.#waiters) w(err);
    this.#waiters.clear();
    try {
      this.#opts.onDown?.(cause);
    } catch {
      // a listener's fault must not keep the gate from working
    }
    this.#schedule();
  }

  #markUp(): void {
    this.#down = false;
    clearTimeout(this.#loop);
    try {
      this.#opts.onUp?.(Date.now() - this.#downSince);
    } catch {
      // as above
    }
  }

  #schedule(): void {
    clearTimeout(this.#loop);
    if (!this.#down || this.#stopped) return;
    this.#loop = setTimeout(() => {
      void this.check(true).then(() => this.#schedule());
    }, this.#opts.retryMs);
    this.#loop.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#loop);
  }
}
