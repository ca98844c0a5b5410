/**
 * Bounds the board reads that Postgres answers at once in this process. Such a read counts the
 * board and the caller's rank, and sorts the page, over the board's rows: milliseconds at a few
 * thousand standings, a quarter to a third of a second at a million. A crowd that finds a large board missing from Redis must not take the
 * database from the worker, so a read waits a moment for a slot and is otherwise turned away
 * (the route answers 503 with Retry-After).
 */
export class FallbackReads {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly slots: number,
    private readonly waitMs: number,
  ) {}

  /** The read's result, or null when no slot came free within the wait. */
  async run<T>(read: () => Promise<T>): Promise<T | null> {
    if (!(await this.acquire())) {
      return null;
    }
    try {
      return await read();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<boolean> {
    if (this.running < this.slots) {
      this.running += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const granted = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(granted), 1);
        resolve(false);
      }, this.waitMs);
      this.waiting.push(granted);
    });
  }

  /** Hands the slot straight to the longest waiter, if any. */
  private release(): void {
    const next = this.waiting.shift();
    if (next === undefined) {
      this.running -= 1;
    } else {
      next();
    }
  }
}
