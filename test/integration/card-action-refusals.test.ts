import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardActionHandler } from '../../src/actions/card-action-handler.ts';
import type { CardActionDeps } from '../../src/actions/card-click.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { InboundCardAction } from '../../src/core/inbound-event.ts';
import type { DirectoryUser } from '../../src/directory/directory-repo.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * A click's value is parsed into a CardAction before anything acts: a value with an op no button has, or without
 * the id its op acts on, is answered "unknown action" (400, card.unknown_action) and reaches no service. The
 * services here throw if they are touched at all; the directory knows the clicker.
 */
let tdb: TestDb;
beforeAll(async () => { tdb = await createTestDb(); });
afterAll(async () => { await tdb.drop(); });

const untouchable = <T extends object>(name: string): T => new Proxy({} as T, { get: (_, key) => { throw new Error(`${name}.${String(key)} must not be reached`); } });
const clicker: DirectoryUser = { tenantId: 'default', id: 'lisi', name: '李四', departmentId: null, managerId: null, roles: ['finance'] };

function click(eventId: string, actionId: string, value: Record<string, string>): InboundCardAction {
  return {
    kind: 'card_action', source: 'feishu:bot-1', eventId, platform: 'feishu', botId: 'bot-1', tenantId: 'default',
    sender: { platform: 'feishu', botId: 'bot-1', externalId: 'ou_lisi' }, receivedAt: new Date('2031-02-28T02:00:00Z'),
    message: { platform: 'feishu', botId: 'bot-1', messageId: 'om_1' }, chat: { platform: 'feishu', botId: 'bot-1', userExternalId: 'ou_lisi' },
    actionId, value, form: { comment: 'ok', bank_ref: 'B-1' },
  };
}

describe('card action dispatch', () => {
  it.each([
    ['an op no button has', 'approve_all', { op: 'approve_all', requestId: 'r-1' }, 'unknown action approve_all'],
    ['no op: the clicked name is named', 'mystery', { requestId: 'r-1' }, 'unknown action mystery'],
    ['approve without its task', 'approve', { op: 'approve', requestId: 'r-1' }, 'action approve lacks taskId'],
    ['withdraw without its request', 'withdraw', { op: 'withdraw' }, 'action withdraw lacks requestId'],
    ['submit of no draft', 'dialog.submit', { op: 'dialog.submit', dialogId: '' }, 'action dialog.submit lacks dialogId'],
    ['pay of no document', 'erp.pay', { op: 'erp.pay' }, 'action erp.pay lacks docId'],
  ])('refuses %s with the unknown-action answer, acting on nothing', async (_case, actionId, value, message) => {
    const d: CardActionDeps = {
      db: tdb.handle.db, clock: fixedClock(new Date('2031-02-28T02:00:00Z')), localeOf: () => 'en',
      directory: { userByIdentity: async () => clicker } as unknown as CardActionDeps['directory'],
      approvals: untouchable('approvals'), conversation: untouchable('conversation'), sandbox: untouchable('sandbox'),
    };
    const ack = await cardActionHandler(d)(click(`ev-${actionId}-${JSON.stringify(value)}`, actionId, value));
    expect(ack).toEqual({ toast: { type: 'error', text: 'Unknown action' }, status: 400, error: { code: 'card.unknown_action', message } });
    expect(await tdb.handle.db.selectFrom('inbox_events').select('id').execute()).toEqual([]);
  });
});
