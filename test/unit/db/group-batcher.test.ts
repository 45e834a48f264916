import { describe, expect, it } from 'vitest';
import { GroupBatcher } from '../../../src/db/group-batcher.ts';

/** A run whose batches finish when the test says so. */
function gated() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: number[]): Promise<string[]> => {
    batches.push(items);
    await new Promise<void>((res) => gates.push(res));
    if (items.includes(13)) throw new Error('13 is unlucky');
    return items.map((i) => `ok ${i}`);
  };
  const openAll = async (): Promise<void> => {
    while (gates.length > 0) {
      gates.splice(0).forEach((g) => g());
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { batches, run, openAll };
}

describe('GroupBatcher', () => {
  it('sends the first item at once and groups the ones that arrive while it runs', async () => {
    const g = gated();
    const b = new GroupBatcher({ run: g.run, maxInFlight: 1, maxBatch: 10 });
    const out = Promise.all([1, 2, 3, 4].map((i) => b.submit(i)));
    await g.openAll();
    expect(await out).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4']);
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps maxInFlight batches on the wire and splits at maxBatch', async () => {
    const g = gated();
    const b = new GroupBatcher({ run: g.run, maxInFlight: 2, maxBatch: 2 });
    const out = Promise.all([1, 2, 3, 4, 5, 6, 7].map((i) => b.submit(i)));
    await g.openAll();
    expect((await out).length).toBe(7);
    expect(g.batches).toEqual([[1], [2], [3, 4], [5, 6], [7]]);
  });

  it('re-runs a failed batch item by item: only the faulty item fails', async () => {
    const g = gated();
    const sizes: number[] = [];
    const b = new GroupBatcher({ run: g.run, maxInFlight: 1, maxBatch: 10, onBatch: (n) => sizes.push(n) });
    const out = Promise.allSettled([1, 12, 13, 14].map((i) => b.submit(i)));
    await g.openAll();
    expect((await out).map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['ok 1', 'ok 12', '13 is unlucky', 'ok 14']);
    expect(sizes).toEqual([1, 3, 1, 1, 1]);
  });

  it('refuses a batch answered with the wrong number of results', async () => {
    const b = new GroupBatcher<number, number>({ run: async () => [], maxInFlight: 1, maxBatch: 10 });
    await expect(b.submit(1)).rejects.toThrow('a batch of 1 got 0 answers');
  });
});
