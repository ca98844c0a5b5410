/**
 * A small seeded PRNG (mulberry32) for the fault scenarios' jitter and stream shapes. The seed comes
 * from FAULT_SEED when set, else from the clock, and is printed, so a failing run can be repeated.
 */
export interface SeededRandom {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
}

export function seededRandom(label: string, seed = Number(process.env.FAULT_SEED ?? Date.now() % 2 ** 32)): SeededRandom {
  if (!Number.isInteger(seed) || seed < 0) {
    throw new Error(`FAULT_SEED must be a non-negative integer, got ${process.env.FAULT_SEED}`);
  }
  process.stdout.write(`${label}: FAULT_SEED=${seed}\n`);
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { seed, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}
