import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.ts';

const DAY = 24 * 3600_000;

describe('retention configuration', () => {
  it('has defaults: handled events a week, failed ones a month, finished jobs a day, dead ones a month', () => {
    const r = loadConfig({}).retention;
    expect(r).toEqual({
      inboxDoneMs: 7 * DAY, inboxFailedMs: 30 * DAY, outboxDoneMs: DAY, outboxDeadMs: 30 * DAY, consoleMessagesMs: 30 * DAY,
      chatCardsMs: 30 * DAY, refusalsMs: 90 * DAY, expiredDialogsMs: 30 * DAY, intervalMs: 3_600_000, batchSize: 1000,
    });
  });

  it('takes days (fractions too), the interval and the batch size from the environment', () => {
    const r = loadConfig({ RETENTION_OUTBOX_DONE_DAYS: '0.5', RETENTION_REFUSALS_DAYS: '365', RETENTION_INTERVAL_MS: '60000', RETENTION_BATCH_SIZE: '250' }).retention;
    expect(r.outboxDoneMs).toBe(DAY / 2);
    expect(r.refusalsMs).toBe(365 * DAY);
    expect(r.intervalMs).toBe(60_000);
    expect(r.batchSize).toBe(250);
  });

  it('refuses a handled-event retention under a day (redeliveries would act again) and failures kept shorter than successes', () => {
    expect(() => loadConfig({ RETENTION_INBOX_DONE_DAYS: '0.1' })).toThrow(/RETENTION_INBOX_DONE_DAYS/);
    expect(() => loadConfig({ RETENTION_INBOX_DONE_DAYS: '10', RETENTION_INBOX_FAILED_DAYS: '5' })).toThrow(/RETENTION_INBOX_FAILED_DAYS: must be at least/);
    expect(() => loadConfig({ RETENTION_OUTBOX_DEAD_DAYS: '0.5' })).toThrow(/RETENTION_OUTBOX_DEAD_DAYS: must be at least/);
    expect(() => loadConfig({ RETENTION_BATCH_SIZE: '0' })).toThrow(/RETENTION_BATCH_SIZE/);
  });
});
