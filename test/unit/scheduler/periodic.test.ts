import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Periodic } from '../../../src/scheduler/periodic.ts';

describe('Periodic', () => {
  it('an interval longer than a timer can hold (a monthly sync, 43,200 minutes) waits instead of running back to back', async () => {
    let runs = 0;
    const warnings: string[] = [];
    const onWarning = (w: Error): void => { warnings.push(w.name); };
    process.on('warning', onWarning);
    const p = new Periodic('monthly', 43_200 * 60_000, async () => { runs++; }, pino({ level: 'silent' }));
    p.start();
    await new Promise((r) => setTimeout(r, 300));
    await p.stop();
    process.off('warning', onWarning);
    expect(runs).toBe(0);
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
