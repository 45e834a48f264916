import { sql, type RawBuilder } from 'kysely';

/**
 * Every percentile in the reports is NEAREST-RANK: of n values sorted ascending, the p-th percentile is the value
 * at 1-based rank ceil(p · n), so it is always a time that was actually observed, never an interpolation between
 * two. PostgreSQL's percentile_disc computes exactly that (its final function takes row ceil(p × rowcount));
 * percentile_cont would interpolate, so it is not used. Null inputs are skipped, as count(x) skips them.
 */
export function nearestRank(p: 0.5 | 0.9, seconds: RawBuilder<unknown>, filter?: RawBuilder<unknown>): RawBuilder<number | null> {
  const agg = sql<number | null>`percentile_disc(${sql.lit(p)}) within group (order by ${seconds})`;
  return filter ? sql<number | null>`${agg} filter (where ${filter})` : agg;
}

/** Seconds → hours with one decimal (the API's unit); null stays null. */
export function hours(seconds: number | string | null | undefined): number | null {
  if (seconds === null || seconds === undefined) return null;
  return Math.round(Number(seconds) / 360) / 10;
}

/** A row's count (bigint arrives as a string from node-postgres). */
export function count(v: number | string | bigint | null | undefined): number {
  return v === null || v === undefined ? 0 : Number(v);
}
