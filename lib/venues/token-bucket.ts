/**
 * A token bucket: holds up to `capacity` tokens and refills at `refillPerSecond`. A request takes its
 * cost in tokens, waiting (abortably) until they are there. One bucket per venue budget, shared by every
 * run in the process, so concurrent runs together stay inside the venue's published limit.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = clock();
  }

  private refill(): void {
    const now = this.clock();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
  }

  /** Tokens available right now (after refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Milliseconds until `cost` tokens would be available, 0 when they are. */
  waitTime(cost: number): number {
    this.refill();
    const need = Math.min(cost, this.capacity) - this.tokens;
    return need <= 0 ? 0 : Math.ceil((need / this.refillPerSecond) * 1000);
  }

  /** Takes `cost` tokens, first in first out, waiting for the refill when the bucket is short. */
  take(cost = 1, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        const wait = this.waitTime(cost);
        if (wait === 0) break;
        await sleep(wait, signal);
      }
      this.tokens -= Math.min(cost, this.capacity);
    });
    // A cancelled waiter must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
