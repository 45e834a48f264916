/**
 * Exponential backoff with full jitter: attempt 1 → up to 1 s, 2 → 2 s, … capped at 10 min, so a
 * flapping dependency is not hammered by every replica at the same instant.
 */
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 1000, capMs = 600_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
