import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFindings } from '../../src/reconciliation/findings-repo.ts';
import { listRecords } from '../../src/master-data/records-repo.ts';
import { inputsOf, textOf, type FeedItem } from '../support/console-client.ts';
import { inputValues, openConfirmCard, turn } from '../support/nlu-console-kit.ts';
import { startTrytonLoop, type TrytonLoop } from '../support/tryton/erp-loop.ts';
import { ensureParty } from '../support/tryton/tryton-admin.ts';
import { startTryton, type TrytonServer } from '../support/tryton/start-tryton.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * Suppliers copied from a real Tryton 6.0 into the service and used by a form, end to end: the instance file asks for
 * `master_data: { kinds: [supplier] }`; Tryton's admin adds a supplier and renames another; the next sync has both;
 * the purchase request's supplier field (intents/purchase_request.yaml, `source: {master: supplier}`) picks the new one
 * from a short name in chat and offers it on the card; the rename is one drift finding and one card to the tenant's
 * admin, however often the sync runs after it. Company names are invented. Skipped where Tryton is not installed.
 */
const tryton = await startTryton();
const ID = 'tryton-master';
const OLD_NAME = '杭州启明贸易有限公司';
const NEW_NAME = '杭州启明星科技有限公司';
const ADDED = '温州新锐办公用品有限公司';

describe.skipIf(!tryton)('Tryton suppliers in the service', () => {
  const t = tryton as TrytonServer;
  let tdb: TestDb;
  let loop: TrytonLoop;
  let renamed: number;

  beforeAll(async () => {
    tdb = await createTestDb();
    // Hourly: no timer fires during the test; the test runs each sync itself (what the timer runs).
    loop = await startTrytonLoop(tdb, t, { id: ID, pollSeconds: 3600, masterData: { kinds: ['supplier'], intervalSeconds: 3600 } });
    renamed = await ensureParty(loop.admin, OLD_NAME);
  });
  afterAll(async () => {
    await loop?.close();
    await tdb?.drop();
    await t.stop();
  });

  const suppliers = async () => (await listRecords(loop.app.db.db, 'default', 'supplier', { connector: ID, activeOnly: true, limit: 1000 })).map((r) => r.name);
  const driftCards = () => [...(loop.cc.feeds.get('admin')?.values() ?? [])].filter((m) => m.kind === 'card' && (m.card?.title ?? '').includes('主数据'));

  it('the first sync copies Tryton\'s suppliers', async () => {
    const counts = await loop.app.syncMasterData('default', ID);
    expect(counts.supplier?.new).toBeGreaterThanOrEqual(2);
    expect(await suppliers()).toEqual(expect.arrayContaining([OLD_NAME]));
    expect(await suppliers()).not.toContain(ADDED);
  });

  it('a supplier added and one renamed in Tryton: the next sync has both, and the rename is one drift card to the admin', async () => {
    await loop.admin.write('party.party', [renamed], { name: NEW_NAME });
    await ensureParty(loop.admin, ADDED, 'Wenzhou');
    const counts = await loop.app.syncMasterData('default', ID);
    expect(counts.supplier).toMatchObject({ new: 1, renamed: 1 });
    const names = await suppliers();
    expect(names).toEqual(expect.arrayContaining([NEW_NAME, ADDED]));
    expect(names).not.toContain(OLD_NAME);

    const drift = (await listFindings(loop.app.db.db, 'default', { open: true, kind: 'drift.renamed' })).filter((f) => f.connector === ID);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ erpId: String(renamed), details: { masterKind: 'supplier', oldName: OLD_NAME, newName: NEW_NAME } });
    const card = await loop.cc.waitFor('admin', (m) => m.kind === 'card' && textOf(m.card).includes(NEW_NAME));
    expect(textOf(card.card)).toContain(OLD_NAME);

    // Syncs after it change nothing and tell nobody again.
    expect((await loop.app.syncMasterData('default', ID)).supplier).toMatchObject({ new: 0, renamed: 0 });
    await loop.app.syncMasterData('default', ID);
    const jobs = await loop.app.db.db.selectFrom('outbox_jobs').select('idempotency_key').where('kind', '=', 'card.put').execute();
    expect(jobs.filter((j) => (j.idempotency_key ?? '').startsWith('card.put:drift:'))).toHaveLength(1);
    await loop.cc.sync('admin');
    expect(driftCards()).toHaveLength(1);
    expect((await listFindings(loop.app.db.db, 'default', { open: true, kind: 'drift.renamed' })).filter((f) => f.connector === ID)).toHaveLength(1);
  });

  it('the purchase request\'s supplier field picks the new supplier from its short name and offers it on the card', async () => {
    const card: FeedItem = await (await turn(loop.cc, 'zhangsan', '采购3把办公椅，预算两千，从新锐买')).waitFor(openConfirmCard);
    expect(inputValues(card)).toMatchObject({ supplier: ADDED, quantity: '3', amount: '2000.00' });
    const select = inputsOf(card.card).find((i) => i.name === 'supplier');
    expect(select?.type).toBe('select');
    expect(select?.options?.[0]?.value).toBe(ADDED);
    expect(select?.options?.map((o) => o.value)).toEqual(expect.arrayContaining([NEW_NAME]));
    expect(select?.options?.map((o) => o.value)).not.toContain(OLD_NAME);
  });
});
