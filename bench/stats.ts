/** Latency summary of a run: throughput and percentiles in milliseconds. */
export function summarize(latenciesMs: number[], elapsedMs: number): { per_s: number; p50_ms: number; p99_ms: number; n: number } {
  const s = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  return { per_s: Math.round((s.length / elapsedMs) * 1000), p50_ms: round(at(0.5)), p99_ms: round(at(0.99)), n: s.length };
}

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * Runs `task(i)` for items 0..n-1 with `concurrency` in flight; returns each item's latency. A task that
 * answers `false` did nothing (a time limit was reached): its worker stops and no latency is recorded.
 */
export async function runPool(n: number, concurrency: number, task: (i: number) => Promise<void | boolean>): Promise<{ latencies: number[]; elapsedMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < n; i = next++) {
      const t = performance.now();
      if ((await task(i)) === false) return;
      latencies.push(performance.now() - t);
    }
  }));
  return { latencies, elapsedMs: performance.now() - start };
}
