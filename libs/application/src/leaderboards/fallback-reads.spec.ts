import { FallbackReads } from './fallback-reads';

/** A read that runs until the test ends it. */
function heldRead(label: string) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => {
    end = resolve;
  });
  return { read: async () => { await ended; return label; }, end };
}

describe('FallbackReads', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs reads up to its slots at once, hands a freed slot to the longest waiter, and turns away one that waited too long', async () => {
    const reads = new FallbackReads(2, 500);
    const first = heldRead('first');
    const second = heldRead('second');
    const third = heldRead('third');
    const fourth = heldRead('fourth');
    const started: string[] = [];
    const track = (label: string, held: ReturnType<typeof heldRead>) => reads.run(() => { started.push(label); return held.read(); });

    const answers = [track('first', first), track('second', second), track('third', third), track('fourth', fourth)];
    await Promise.resolve();
    expect(started).toEqual(['first', 'second']);

    await jest.advanceTimersByTimeAsync(100);
    first.end();
    await jest.advanceTimersByTimeAsync(0);
    expect(started).toEqual(['first', 'second', 'third']);

    await jest.advanceTimersByTimeAsync(400);
    expect(started).toEqual(['first', 'second', 'third']);
    second.end();
    third.end();
    await expect(Promise.all(answers)).resolves.toEqual(['first', 'second', 'third', null]);
  });

  it('frees the slot of a read that fails', async () => {
    const reads = new FallbackReads(1, 10);
    await expect(reads.run(() => Promise.reject(new Error('database away')))).rejects.toThrow('database away');
    await expect(reads.run(() => Promise.resolve('after'))).resolves.toBe('after');
  });
});
