import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import type { CardView } from '../../src/core/card-view.ts';
import { sendDigests } from '../../src/reconciliation/digest.ts';
import { findingReporter, type ReconcileDeps } from '../../src/reconciliation/reconcile.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

const clock = fixedClock(new Date('2026-12-07T02:00:00Z'));
let tdb: TestDb;
let deps: ReconcileDeps;
let n = 0;

beforeAll(async () => {
  tdb = await createTestDb();
  deps = {
    db: tdb.handle.db, clock, ids: { uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` },
    thresholds: { approvedWithoutDocumentMinutes: 30, postedUnpaidDays: 14 }, bots: [], timeZone: 'Asia/Shanghai', maxAttempts: 3,
  };
});
afterAll(() => tdb.drop());

const jobs = () => tdb.handle.db.selectFrom('outbox_jobs').select(['payload', 'idempotency_key']).where('kind', '=', 'card.put').orderBy('id').execute()
  .then((rows) => rows.map((r) => r.payload as { subject: string; userId: string; target?: Record<string, string>; card: CardView }));
const unnotified = async () => (await tdb.handle.db.selectFrom('recon_findings').select('kind').where('notified_at', 'is', null).orderBy('kind').execute()).map((r) => r.kind);

describe('reconciliation digests', () => {
  it('wait while nobody can be told; then go to the first bot naming a finance chat, as a group card in its language', async () => {
    const report = findingReporter(deps);
    await report({ tenantId: 'default', kind: 'posted_unpaid', key: 'sandbox:1', connector: 'sandbox', erpId: '1', details: { requestNumber: 'EXP-1', documentNumber: 'SBX-000001', postedAt: '2026-11-01T02:00:00Z', amount: '300.00', paid: '0.00' } });
    await report({ tenantId: 'default', kind: 'drift.renamed', key: 'sandbox:supplier:S1', connector: 'sandbox', erpId: 'S1', details: { masterKind: 'supplier', oldName: 'Acme', newName: 'Acme Ltd' } });
    // Another tenant's finding is not this tenant's digest.
    await report({ tenantId: 'other', kind: 'posted_unpaid', key: 'sandbox:9', connector: 'sandbox', erpId: '9' });

    // No finance chat, no finance or admin person in the directory: nothing queued, nothing marked.
    expect(await sendDigests(deps, 'default')).toEqual({ finance: { findings: 0, cards: 0 }, drift: { findings: 0, cards: 0 } });
    expect(await jobs()).toEqual([]);
    expect(await unnotified()).toEqual(['drift.renamed', 'posted_unpaid', 'posted_unpaid']);

    const bots: ReconcileDeps['bots'] = [
      { id: 'other-fs', tenant: 'other', platform: 'feishu', locale: 'zh', finance_chat: 'oc_other' },
      { id: 'plain', tenant: 'default', platform: 'feishu', locale: 'zh' },
      { id: 'fs', tenant: 'default', platform: 'feishu', locale: 'en', finance_chat: 'oc_finance' },
      { id: 'dt', tenant: 'default', platform: 'dingtalk', locale: 'zh', finance_chat: 'cid_finance' },
    ];
    const r = await sendDigests({ ...deps, bots }, 'default');
    expect(r.finance).toEqual({ findings: 1, cards: 1 });
    const [job, ...rest] = await jobs();
    expect(rest).toEqual([]);
    expect(job!.target).toEqual({ platform: 'feishu', botId: 'fs', chatId: 'oc_finance' });
    expect(job!.card.title).toBe('Reconciliation · new findings: 1');
    expect(JSON.stringify(job!.card.blocks)).toContain('EXP-1 · sandbox SBX-000001 (#1)');
    expect(JSON.stringify(job!.card.blocks)).toContain('posted 2026-11-01 10:00, paid ¥0.00 of ¥300.00');
    // The drift finding still waits for an admin to be reachable; the other tenant's for its own run.
    expect(await unnotified()).toEqual(['drift.renamed', 'posted_unpaid']);

    // An admin with a chat identity: the drift card goes to them, in the language they last wrote in.
    await tdb.handle.db.insertInto('users').values({ tenant_id: 'default', id: 'boss', name: 'Boss', email: null, department_id: null, manager_id: null, roles: ['admin'] }).execute();
    await tdb.handle.db.insertInto('user_identities').values({ tenant_id: 'default', user_id: 'boss', platform: 'feishu', bot_id: 'plain', external_id: 'ou_boss', last_seen_at: clock.now(), locale: 'en' }).execute();
    expect((await sendDigests({ ...deps, bots }, 'default')).drift).toEqual({ findings: 1, cards: 1 });
    const drift = (await jobs()).at(-1)!;
    expect(drift.userId).toBe('boss');
    expect(drift.target).toBeUndefined();
    expect(drift.card.title).toBe('Directory and master-data drift · new findings: 1');
    expect(JSON.stringify(drift.card.blocks)).toContain('Acme → Acme Ltd');
    // Told once: a further run queues nothing.
    expect(await sendDigests({ ...deps, bots }, 'default')).toEqual({ finance: { findings: 0, cards: 0 }, drift: { findings: 0, cards: 0 } });
    expect(await jobs()).toHaveLength(2);
  });

  it('two runs at once (two replicas) queue one digest for a new finding', async () => {
    const bots: ReconcileDeps['bots'] = [{ id: 'fs', tenant: 'default', platform: 'feishu', locale: 'zh', finance_chat: 'oc_finance' }];
    await findingReporter(deps)({ tenantId: 'default', kind: 'approved_without_document', key: 'r-42', details: { requestNumber: 'EXP-42' } });
    const before = (await jobs()).length;
    const results = await Promise.all([sendDigests({ ...deps, bots }, 'default'), sendDigests({ ...deps, bots }, 'default')]);
    expect(results.map((r) => r.finance.cards).sort()).toEqual([0, 1]);
    const after = await jobs();
    expect(after).toHaveLength(before + 1);
    expect(JSON.stringify(after.at(-1)!.card)).toContain('EXP-42');
  });
});
