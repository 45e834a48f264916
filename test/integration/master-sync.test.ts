import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import type { MasterKind } from '../../src/core/master-kinds.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import type { MasterDataSource, MasterPage, MasterRecord } from '../../src/erp/master-data-port.ts';
import { MasterSync, masterCursorKey, type DriftFinding } from '../../src/erp/master-sync.ts';
import { masterLookups, wireMasterSync } from '../../src/app/wire-master-data.ts';
import type { Settings } from '../../src/app/wire-config.ts';
import type { IntentDefinition } from '../../src/config/intent-schema.ts';
import type { ErpService } from '../../src/erp/erp-service.ts';
import { linkPerson } from '../../src/master-data/person-links.ts';
import { listFindings } from '../../src/reconciliation/findings-repo.ts';
import { hasRecords, listRecords, upsertRecords } from '../../src/master-data/records-repo.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';

/**
 * A small master-data source: records per kind with a change sequence; the cursor is the last sequence read (as
 * the port says: opaque, records created or changed since it). `failOnCall` makes that call (1-based) throw.
 */
class ListSource implements MasterDataSource {
  private seq = 0;
  private readonly rows: { seq: number; r: MasterRecord }[] = [];
  calls = 0;
  failOnCall: number | null = null;
  constructor(private readonly shared: MasterKind[]) {}
  kinds(): MasterKind[] { return this.shared; }
  put(r: Omit<MasterRecord, 'versionStamp'>): void {
    const at = this.rows.findIndex((x) => x.r.kind === r.kind && x.r.erpId === r.erpId);
    if (at >= 0) this.rows.splice(at, 1);
    this.seq++;
    this.rows.push({ seq: this.seq, r: { ...r, versionStamp: `v${this.seq}` } });
  }
  async listMaster(kind: MasterKind, cursor: string | null, opts: { limit?: number } = {}): Promise<MasterPage> {
    this.calls++;
    if (this.failOnCall === this.calls) throw new Error('ERP unavailable (test)');
    const after = cursor === null ? 0 : Number(cursor);
    const next = this.rows.filter((x) => x.r.kind === kind && x.seq > after).sort((a, b) => a.seq - b.seq);
    const page = next.slice(0, opts.limit ?? 100);
    const last = page[page.length - 1]?.seq ?? after;
    return { records: page.map((x) => x.r), nextCursor: String(last), hasMore: next.length > page.length };
  }
}

let tdb: TestDb;
const clock = fixedClock(new Date('2026-12-05T02:00:00Z'));
const logger = pino({ level: 'silent' });
let source: ListSource;
let drifts: DriftFinding[];
let sync: MasterSync;
const T = 'default';
const C = 'erp-test';

beforeAll(async () => {
  tdb = await createTestDb();
  await tdb.handle.db.insertInto('users').values([
    { tenant_id: T, id: 'zhangsan', name: '张三', email: 'San.Zhang@example.test', department_id: null, manager_id: null, roles: [] },
    { tenant_id: T, id: 'E1002', name: '李四', email: null, department_id: null, manager_id: null, roles: [] },
    { tenant_id: T, id: 'wangwu', name: '王五', email: null, department_id: null, manager_id: null, roles: [] },
    { tenant_id: T, id: 'zhaoliu', name: '赵六', email: null, department_id: null, manager_id: null, roles: [] },
    { tenant_id: T, id: 'zhaoliu2', name: '赵六', email: null, department_id: null, manager_id: null, roles: [] },
    { tenant_id: T, id: 'qianqi', name: '钱七', email: null, department_id: null, manager_id: null, roles: [] },
  ]).execute();
});
afterAll(async () => { await tdb.drop(); });

let n = 0;
beforeEach(() => {
  n++;
  source = new ListSource(['supplier', 'employee', 'project']);
  drifts = [];
  const connector = { id: `${C}-${n}`, erp: 'rest', masterData: source } as unknown as ErpConnector;
  sync = new MasterSync({
    db: tdb.handle.db, connector: (id) => { if (id !== connector.id) throw new Error(`no connector ${id}`); return connector; },
    kindsOf: () => ['supplier', 'employee'], clock, logger, onDrift: async (f) => { drifts.push(f); },
  });
});
const cid = () => `${C}-${n}`;

describe('records repo', () => {
  it('says per record what changed, writes nothing for an unchanged one, and lists by kind', async () => {
    const db = tdb.handle.db;
    const base = { kind: 'supplier' as const, active: true, versionStamp: 'a' };
    const first = await upsertRecords(db, T, 'repo-1', [
      { ...base, erpId: '1', name: '北京宏达贸易有限公司', code: 'S1' },
      { ...base, erpId: '2', name: '上海宏达科技有限公司', code: 'S2', aliases: ['沪宏达'] },
      { ...base, erpId: '3', name: '木森家居有限公司' },
    ], clock.now());
    expect(first.map((c) => c.change)).toEqual(['new', 'new', 'new']);
    clock.advance(60_000);
    const second = await upsertRecords(db, T, 'repo-1', [
      { ...base, erpId: '1', name: '北京宏达贸易有限公司', code: 'S1' },
      { ...base, erpId: '2', name: '上海宏达智能科技有限公司', code: 'S2', aliases: ['沪宏达'], versionStamp: 'b' },
      { ...base, erpId: '3', name: '木森家居有限公司', active: false, versionStamp: 'b' },
    ], clock.now());
    expect(second).toEqual([
      { kind: 'supplier', erpId: '1', name: '北京宏达贸易有限公司', change: 'unchanged' },
      { kind: 'supplier', erpId: '2', name: '上海宏达智能科技有限公司', change: 'renamed', from: '上海宏达科技有限公司', to: '上海宏达智能科技有限公司' },
      { kind: 'supplier', erpId: '3', name: '木森家居有限公司', change: 'deactivated' },
    ]);
    const third = await upsertRecords(db, T, 'repo-1', [{ ...base, erpId: '1', name: '北京宏达贸易有限公司', code: 'S1-NEW', versionStamp: 'c' }], clock.now());
    expect(third[0]?.change).toBe('changed');
    const rows = await db.selectFrom('erp_master_records').select(['erp_id', 'changed_at']).where('connector', '=', 'repo-1').orderBy('erp_id').execute();
    expect(rows.map((r) => r.changed_at.toISOString())).toEqual([clock.now().toISOString(), clock.now().toISOString(), clock.now().toISOString()]);

    const active = await listRecords(db, T, 'supplier', { connector: 'repo-1', activeOnly: true, limit: 10 });
    expect(active.map((r) => r.name).sort()).toEqual(['上海宏达智能科技有限公司', '北京宏达贸易有限公司'].sort());
    expect(active.find((r) => r.erpId === '2')).toMatchObject({ aliases: ['沪宏达'], code: 'S2', versionStamp: 'b' });
    expect((await listRecords(db, T, 'supplier', { activeOnly: false, query: 's1-', limit: 10 })).map((r) => r.erpId)).toEqual(['1']);
    expect((await listRecords(db, T, 'supplier', { activeOnly: false, query: '%', limit: 10 }))).toEqual([]);
    expect(await hasRecords(db, T, 'repo-1', 'supplier')).toBe(true);
    expect(await hasRecords(db, T, 'repo-1', 'employee')).toBe(false);
    expect(await hasRecords(db, 'other', 'repo-1', 'supplier')).toBe(false);
  });

  it('refuses a record without a name, and an instance of another tenant, writing nothing', async () => {
    const db = tdb.handle.db;
    await expect(upsertRecords(db, T, 'repo-2', [{ kind: 'supplier', erpId: '9', name: '甲', active: true }, { kind: 'supplier', erpId: '10', name: ' ', active: true }], clock.now()))
      .rejects.toThrow(/without a name/);
    expect(await hasRecords(db, T, 'repo-2', 'supplier')).toBe(false);
    await upsertRecords(db, T, 'repo-2', [{ kind: 'supplier', erpId: '9', name: '甲', active: true }], clock.now());
    await expect(upsertRecords(db, 'other', 'repo-2', [{ kind: 'supplier', erpId: '9', name: '乙', active: true }], clock.now())).rejects.toThrow(/belongs to tenant default/);
    expect((await listRecords(db, T, 'supplier', { connector: 'repo-2', activeOnly: true, limit: 5 })).map((r) => r.name)).toEqual(['甲']);
  });
});

const cursorOf = (kind: MasterKind) => tdb.handle.db.selectFrom('erp_sync_cursors').selectAll().where('tenant_id', '=', T).where('connector', '=', masterCursorKey(cid(), kind)).executeTakeFirst();
const supplier = (i: number, name = `供应商${i}有限公司`) => ({ kind: 'supplier' as const, erpId: `s${i}`, code: `S${i}`, name, active: true });

describe('MasterSync', () => {
  it('reads each shared kind the instance asks for, page by page, saving the cursor per page', async () => {
    for (let i = 1; i <= 5; i++) source.put(supplier(i));
    source.put({ kind: 'project', erpId: 'p1', name: '项目一', active: true });
    const counts = await sync.syncConnector(T, cid(), { pageSize: 2 });
    expect(counts.supplier).toMatchObject({ new: 5, renamed: 0 });
    expect(counts.project).toBeUndefined(); // shared by the ERP, not asked for by the instance
    expect(await cursorOf('supplier')).toMatchObject({ cursor: '5', last_error: null });
    expect((await cursorOf('supplier'))?.last_success_at).toEqual(clock.now());
    expect(source.calls).toBe(4); // 3 supplier pages + 1 (empty) employee page
    const again = await sync.syncConnector(T, cid(), { pageSize: 2 });
    expect(again.supplier).toMatchObject({ new: 0, unchanged: 0, changed: 0 });
  });

  it('an ERP that fails mid-sync keeps the last saved cursor and the next sync resumes there', async () => {
    for (let i = 1; i <= 5; i++) source.put(supplier(i));
    source.failOnCall = 2; // the second supplier page
    await expect(sync.syncConnector(T, cid(), { pageSize: 2 })).rejects.toThrow(/unavailable/);
    const failed = await cursorOf('supplier');
    expect(failed).toMatchObject({ cursor: '2', last_error: 'ERP unavailable (test)' });
    expect(failed?.last_success_at).toBeNull();
    expect(await listRecords(tdb.handle.db, T, 'supplier', { connector: cid(), activeOnly: true, limit: 10 })).toHaveLength(2);
    // The other kind was still read.
    expect(await cursorOf('employee')).toMatchObject({ last_error: null });

    clock.advance(60_000);
    source.failOnCall = null;
    const counts = await sync.syncConnector(T, cid(), { pageSize: 2 });
    expect(counts.supplier).toMatchObject({ new: 3, unchanged: 0 });
    expect(await cursorOf('supplier')).toMatchObject({ cursor: '5' });
    expect((await cursorOf('supplier'))?.last_success_at).toEqual(clock.now());
    expect(await listRecords(tdb.handle.db, T, 'supplier', { connector: cid(), activeOnly: true, limit: 10 })).toHaveLength(5);
  });

  it('a rename (same ERP id, another name) reports one drift; reading it again reports none', async () => {
    source.put(supplier(1, '上海宏达科技有限公司'));
    await sync.syncConnector(T, cid());
    expect(drifts).toEqual([]);
    source.put(supplier(1, '上海宏达智能科技有限公司'));
    const counts = await sync.syncConnector(T, cid());
    expect(counts.supplier).toMatchObject({ renamed: 1 });
    expect(drifts).toEqual([{
      tenantId: T, kind: 'drift.renamed', key: `${cid()}:supplier:s1`, connector: cid(), erpId: 's1',
      details: { masterKind: 'supplier', oldName: '上海宏达科技有限公司', newName: '上海宏达智能科技有限公司', code: 'S1' },
    }]);
    await tdb.handle.db.deleteFrom('erp_sync_cursors').where('connector', '=', masterCursorKey(cid(), 'supplier')).execute(); // read all again
    await sync.syncConnector(T, cid());
    expect(drifts).toHaveLength(1);
  });

  it('a drift callback that fails rolls its page back, and the rename is reported on the next sync', async () => {
    source.put(supplier(1, '甲有限公司'));
    await sync.syncConnector(T, cid());
    source.put(supplier(1, '乙有限公司'));
    let fail = true;
    const connector = { id: cid(), erp: 'rest', masterData: source } as unknown as ErpConnector;
    const flaky = new MasterSync({
      db: tdb.handle.db, connector: () => connector, kindsOf: () => ['supplier'], clock, logger,
      onDrift: async (f) => { if (fail) throw new Error('findings table locked (test)'); drifts.push(f); },
    });
    await expect(flaky.syncConnector(T, cid())).rejects.toThrow(/locked/);
    expect((await listRecords(tdb.handle.db, T, 'supplier', { connector: cid(), activeOnly: false, limit: 5 }))[0]?.name).toBe('甲有限公司');
    fail = false;
    await flaky.syncConnector(T, cid());
    expect(drifts.map((d) => d.details.newName)).toEqual(['乙有限公司']);
  });

  it('links employees by email, then code, then a name unique on both sides; never moves a manual link', async () => {
    const db = tdb.handle.db;
    await linkPerson(db, { tenantId: T, connector: cid(), userId: 'wangwu', erpId: 'e-manual', matchedBy: 'manual' }, clock.now());
    source.put({ kind: 'employee', erpId: 'e1', name: '张三丰', active: true, attrs: { email: 'san.zhang@EXAMPLE.test' } }); // email wins over name
    source.put({ kind: 'employee', erpId: 'e2', code: 'E1002', name: 'Li Si', active: true });
    source.put({ kind: 'employee', erpId: 'e3', name: '王五', active: true }); // wangwu is linked by hand to another ERP person
    source.put({ kind: 'employee', erpId: 'e4', name: '赵六', active: true }); // two 赵六 in the directory
    source.put({ kind: 'employee', erpId: 'e5', name: '钱七', active: true });
    source.put({ kind: 'employee', erpId: 'e6', name: '钱七', active: true }); // and two 钱七 in the ERP
    const counts = await sync.syncConnector(T, cid());
    expect(counts.employee).toMatchObject({ new: 6, linked: 2 });
    const links = await db.selectFrom('erp_person_links').select(['user_id', 'erp_id', 'matched_by']).where('connector', '=', cid()).orderBy('user_id').execute();
    expect(links).toEqual([
      { user_id: 'E1002', erp_id: 'e2', matched_by: 'code' },
      { user_id: 'wangwu', erp_id: 'e-manual', matched_by: 'manual' },
      { user_id: 'zhangsan', erp_id: 'e1', matched_by: 'email' },
    ]);
    // One 钱七 leaves the ERP: the other is now the only one of that name.
    source.put({ kind: 'employee', erpId: 'e6', name: '钱七', active: false });
    source.put({ kind: 'employee', erpId: 'e5', name: '钱七', active: true, attrs: { mobile: '1' } });
    await sync.syncConnector(T, cid());
    expect(await db.selectFrom('erp_person_links').select(['erp_id', 'matched_by']).where('connector', '=', cid()).where('user_id', '=', 'qianqi').executeTakeFirst())
      .toEqual({ erp_id: 'e5', matched_by: 'name' });
  });

  it('an instance without master data syncs nothing; a page of another kind is refused', async () => {
    const bare = new MasterSync({ db: tdb.handle.db, connector: () => ({ id: 'x', erp: 'rest' }) as unknown as ErpConnector, kindsOf: () => null, clock, logger });
    expect(await bare.syncConnector(T, 'x')).toEqual({});
    source.put({ kind: 'project', erpId: 'p1', name: '项目一', active: true });
    const liar: MasterDataSource = { kinds: () => ['supplier'], listMaster: (_k, c) => source.listMaster('project', c) };
    const wrong = new MasterSync({ db: tdb.handle.db, connector: () => ({ id: cid(), erp: 'rest', masterData: liar }) as unknown as ErpConnector, kindsOf: () => null, clock, logger });
    await expect(wrong.syncConnector(T, cid())).rejects.toThrow(/supplier page with a project record/);
    expect(await listRecords(tdb.handle.db, T, 'project', { connector: cid(), activeOnly: false, limit: 5 })).toEqual([]);
  });
});

describe('an ERP that says at run time what it shares', () => {
  it('is asked before the kinds are read: a kind it starts sharing is synced the same run', async () => {
    let shared: MasterKind[] = [];
    const asked: string[] = [];
    source.put({ kind: 'warehouse', erpId: 'w1', name: '一号仓', active: true });
    const late: MasterDataSource = {
      kinds: () => shared,
      refreshKinds: async () => { asked.push('refresh'); shared = ['warehouse']; return shared; },
      listMaster: (k, c, o) => source.listMaster(k, c, o),
    };
    const ms = new MasterSync({ db: tdb.handle.db, connector: () => ({ id: cid(), erp: 'rest', masterData: late }) as unknown as ErpConnector, kindsOf: () => null, clock, logger });
    expect(Object.keys(await ms.syncConnector(T, cid()))).toEqual(['warehouse']);
    expect(asked).toEqual(['refresh']);
  });
});

describe('app wiring', () => {
  const instance = (id: string, masterData: { kinds: MasterKind[] | null; intervalMs: number } | null) => ({ id, tenant: T, masterData });

  it('one timer per instance with master_data; a rename opens a drift.renamed finding with the page and tells the admins at once', async () => {
    const connector = { id: cid(), erp: 'rest', masterData: source } as unknown as ErpConnector;
    const settings = { erps: [instance(cid(), { kinds: ['supplier'], intervalMs: 900_000 }), instance('no-master', null)], bots: [] } as unknown as Settings;
    const ids = { uuid: () => crypto.randomUUID() } as never;
    const told: string[] = [];
    const { sync, timers } = wireMasterSync({
      db: tdb.handle.db, settings, erp: { connector: () => connector } as unknown as ErpService, clock, ids, logger, onRenamed: async (t) => { told.push(t); },
    });
    expect(timers).toHaveLength(1);
    source.put(supplier(1, '甲有限公司'));
    source.put({ kind: 'employee', erpId: 'e1', name: '张三', active: true }); // not asked for by this instance
    expect(Object.keys(await sync(T, cid()))).toEqual(['supplier']);
    expect(told).toEqual([]); // a new record is no drift
    source.put(supplier(1, '乙有限公司'));
    await sync(T, cid());
    expect(told).toEqual([T]);
    await sync(T, cid()); // nothing changed since
    expect(told).toEqual([T]);
    const open = (await listFindings(tdb.handle.db, T, { open: true, kind: 'drift.renamed' })).filter((f) => f.connector === cid());
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ key: `${cid()}:supplier:s1`, erpId: 's1', details: { masterKind: 'supplier', oldName: '甲有限公司', newName: '乙有限公司' } });
  });

  it('a field\'s records come from its own connector, else the intent\'s, else the bot\'s ERP (sandbox: the tenant\'s ledger)', async () => {
    const db = tdb.handle.db;
    for (const c of ['field-erp', 'intent-erp', 'bot-erp', 'sandbox-t2']) {
      await upsertRecords(db, c === 'sandbox-t2' ? 't2' : T, c, [{ kind: 'project', erpId: 'p', name: `项目@${c}`, active: true }], clock.now());
    }
    const settings = { bots: [{ id: 'b1', erp: 'bot-erp' }, { id: 'b2', erp: 'sandbox' }] } as unknown as Settings;
    const { master } = masterLookups(settings);
    const field = (connector?: string) => ({ name: 'project', type: 'text', label: { zh: '项目', en: 'Project' }, required: false, source: { master: 'project', ...(connector ? { connector } : {}) } }) as IntentDefinition['fields'][number];
    const intent = (connector?: string) => ({ key: 'x', fields: [], ...(connector ? { erp: { doc_kind: 'payable', connector, payload: {} } } : {}) }) as unknown as IntentDefinition;
    const names = async (tenant: string, bot: string, i: IntentDefinition, f: IntentDefinition['fields'][number]) => (await master(db, tenant, bot, i, f)).map((r) => r.name);
    expect(await names(T, 'b1', intent('intent-erp'), field('field-erp'))).toEqual(['项目@field-erp']);
    expect(await names(T, 'b1', intent('intent-erp'), field())).toEqual(['项目@intent-erp']);
    expect(await names(T, 'b1', intent(), field())).toEqual(['项目@bot-erp']);
    expect(await names('t2', 'b2', intent(), field())).toEqual(['项目@sandbox-t2']);
    expect(await names(T, 'b1', intent(), { ...field(), source: undefined } as never)).toEqual([]);
  });
});
