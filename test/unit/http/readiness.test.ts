import { afterEach, describe, expect, it, vi } from 'vitest';
import { boundedCheck } from '../../../src/http/readiness.ts';

afterEach(() => { vi.useRealTimers(); });

describe('boundedCheck', () => {
  it('answers false at the deadline while the check hangs, and runs one check for concurrent callers', async () => {
    vi.useFakeTimers();
    let calls = 0;
    let finish: (v: boolean) => void = () => undefined;
    const check = boundedCheck(() => { calls++; return new Promise<boolean>((r) => { finish = r; }); }, 800);
    const answers = [check(), check(), check()];
    let settled = 0;
    for (const a of answers) void a.then(() => { settled++; });
    await vi.advanceTimersByTimeAsync(799);
    expect(settled).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all(answers)).toEqual([false, false, false]);
    expect(calls).toBe(1);
    // Still hung: the next probe shares it instead of starting another.
    const again = check();
    await vi.advanceTimersByTimeAsync(800);
    expect(await again).toBe(false);
    expect(calls).toBe(1);
    // Once it settles, the next probe runs a fresh check.
    finish(true);
    await vi.advanceTimersByTimeAsync(0);
    const fresh = check();
    finish(true);
    expect(await fresh).toBe(true);
    expect(calls).toBe(2);
  });

  it('a check that fails answers false, not an error', async () => {
    const check = boundedCheck(() => Promise.reject(new Error('Connection terminated unexpectedly')), 800);
    expect(await check()).toBe(false);
  });
});
