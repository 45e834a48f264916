/** Source of "now". Injected everywhere so tests and the NLU evaluation can pin time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can move by hand. */
export function fixedClock(start: Date): Clock & { set(d: Date): void; advance(ms: number): void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d: Date) => { t = d.getTime(); },
    advance: (ms: number) => { t += ms; },
  };
}
