import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sql } from 'kysely';
import { deliverCard } from '../../src/outbox/card-delivery.ts';
import type { CardView } from '../../src/core/card-view.ts';
import { randomIds } from '../../src/core/ids.ts';
import { RetryLater } from '../../src/outbox/job-errors.ts';
import { MessengerRegistry } from '../../src/platforms/messenger-registry.ts';
import type { Messenger } from '../../src/platforms/platform.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

const card = (v: number): CardView => ({ title: `v${v}`, tone: 'blue', blocks: [] });

describe('card delivery lease', () => {
  it('a PATCH that outlives its lease (the worker stalled) cannot leave an older render on the card', async () => {
    const db = tdb.handle.db;
    const shown: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const messenger: Messenger = {
      platform: 'feishu', botId: 'fs',
      async sendCard(_to, c) { shown.push(c.title); return { platform: 'feishu', botId: 'fs', messageId: 'om_1' }; },
      async updateCard(_ref, c) { if (c.title === 'v2') await gate; shown.push(c.title); },
      async sendText() { throw new Error('no'); },
    };
    const reg = new MessengerRegistry(); reg.add(messenger);
    const d = { db, messengers: reg, ids: randomIds, logger: pino({ level: 'silent' }) };
    const target = { platform: 'feishu' as const, botId: 'fs', chatId: 'oc_1' };
    const input = (v: number) => ({ tenantId: 't', subject: 'request:r1:approver:lisi', userId: 'lisi', target, render: async () => ({ card: card(v), version: v }) });

    await deliverCard(d, input(1)); // sent, rendered_version 1
    const slow = deliverCard(d, input(2)); // the PATCH of v2 hangs
    await new Promise((r) => setTimeout(r, 50));
    // The worker stalls past the lease (simulated: the lease ends), and another runs the next card.sync (v3).
    await sql`update card_messages set lease_until = now() - interval '1 second'`.execute(db);
    await deliverCard(d, input(3)); // PATCH v3 succeeds
    release();
    // The stalled delivery notices it lost the lease: it marks the card for a render and asks to run again.
    await expect(slow).rejects.toBeInstanceOf(RetryLater);
    await deliverCard(d, input(3)); // the job's next run renders the latest state
    const row = await db.selectFrom('card_messages').select(['rendered_version', 'lease_token']).executeTakeFirstOrThrow();
    expect(shown).toEqual(['v1', 'v3', 'v2', 'v3']);
    expect(row).toEqual({ rendered_version: 3, lease_token: null });
  });
});
