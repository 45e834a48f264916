import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../../src/core/errors.ts';
import { MASTER_KINDS, type MasterKind } from '../../src/core/master-kinds.ts';
import type { ErpConnector } from '../../src/erp/erp-connector.ts';
import type { MasterDataSource, MasterRecord } from '../../src/erp/master-data-port.ts';
import { startRestRig, type RestRig } from '../fakes/rest-adapter-rig.ts';

/** The REST connector's master data (`/master-data`) against the strict fake adapter. */
let rig: RestRig;
beforeAll(async () => { rig = await startRestRig(); });
afterAll(async () => { await rig.close(); });
afterEach(() => { expect(rig.fake.violations.splice(0), 'the fake adapter kept to the contract').toEqual([]); });

function sourceOf(c: ErpConnector): MasterDataSource & { refreshKinds(): Promise<MasterKind[]> } {
  const m = c.masterData as (MasterDataSource & { refreshKinds?: () => Promise<MasterKind[]> }) | undefined;
  if (!m?.refreshKinds) throw new Error('the REST connector offers no master data');
  return m as MasterDataSource & { refreshKinds(): Promise<MasterKind[]> };
}

async function failure(p: Promise<unknown>): Promise<ExternalServiceError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ExternalServiceError);
  return e as ExternalServiceError;
}

async function drain(src: MasterDataSource, kind: MasterKind, from: string | null): Promise<{ records: MasterRecord[]; cursor: string }> {
  const records: MasterRecord[] = [];
  let cursor = from;
  for (let i = 0; i < 100; i++) {
    const page = await src.listMaster(kind, cursor, { limit: 2 });
    expect(page.records.length).toBeLessThanOrEqual(2);
    records.push(...page.records);
    cursor = page.nextCursor;
    if (!page.hasMore) break;
  }
  return { records, cursor: cursor ?? '' };
}

describe('REST connector: master data', () => {
  it('learns the shared kinds once, narrowed by the instance file; kinds it does not share are refused without a call', async () => {
    const src = sourceOf(rig.connectorWith({}));
    expect(src.kinds()).toEqual([...MASTER_KINDS]);
    const before = rig.fake.requests.length;
    expect(await failure(src.listMaster('customer', null))).toMatchObject({ code: 'erp.not_found', retryable: false });
    expect(rig.fake.requests.slice(before).map((r) => r.path)).toEqual([`${rig.fake.prefix}/master-data`]);
    expect(src.kinds()).toEqual(['supplier', 'project', 'material', 'employee']);
    await src.listMaster('supplier', null);
    expect(rig.fake.requests.filter((r) => r.path === `${rig.fake.prefix}/master-data`)).toHaveLength(1);

    const narrow = sourceOf(rig.connectorWith({ masterData: { kinds: ['employee', 'customer'], intervalMs: 900_000 } }));
    expect(narrow.kinds()).toEqual(['employee', 'customer']);
    expect(await narrow.refreshKinds()).toEqual(['employee']);
    const e = await failure(narrow.listMaster('supplier', null));
    expect(e.message).toContain('master_data.kinds');
  });

  it('reads records page by page; renames keep the id with a new version, deactivations read inactive', async () => {
    const src = sourceOf(rig.connector);
    const { cursor } = await drain(src, 'supplier', null);
    const acme = rig.fake.master.add('supplier', { code: 'V001', name: 'Acme Supplies', aliases: ['Acme'], attrs: { tax_id: '91310000X' } });
    const beta = rig.fake.master.add('supplier', { code: 'V002', name: 'Beta Trading' });
    rig.fake.master.add('employee', { code: 'E-1', name: 'Li Si', attrs: { email: 'li.si@example.com' } });
    const gamma = rig.fake.master.add('supplier', { name: 'Gamma' });
    const first = await drain(src, 'supplier', cursor);
    expect(first.records).toEqual([
      { kind: 'supplier', erpId: acme.id, code: 'V001', name: 'Acme Supplies', aliases: ['Acme'], active: true, attrs: { tax_id: '91310000X' }, versionStamp: acme.version },
      { kind: 'supplier', erpId: beta.id, code: 'V002', name: 'Beta Trading', active: true, versionStamp: beta.version },
      { kind: 'supplier', erpId: gamma.id, name: 'Gamma', active: true, versionStamp: gamma.version },
    ]);
    const v1 = acme.version;
    rig.fake.master.rename(acme.id, 'Acme Supplies Ltd');
    rig.fake.master.deactivate(beta.id);
    const next = await drain(src, 'supplier', first.cursor);
    expect(next.records.map((r) => [r.erpId, r.name, r.active, r.aliases])).toEqual([
      [acme.id, 'Acme Supplies Ltd', true, ['Acme', 'Acme Supplies']], [beta.id, 'Beta Trading', false, undefined],
    ]);
    expect(next.records[0]?.versionStamp).not.toBe(v1);
    expect((await src.listMaster('supplier', next.cursor)).records).toEqual([]);
    const people = await drain(src, 'employee', null);
    expect(people.records.at(-1)).toMatchObject({ kind: 'employee', name: 'Li Si', attrs: { email: 'li.si@example.com' } });
  });

  it('a kind the adapter stops sharing is erp.not_found and the kinds are asked again; outages and bad answers are mapped', async () => {
    const src = sourceOf(rig.connectorWith({}));
    await src.refreshKinds();
    rig.fake.master.shared.splice(rig.fake.master.shared.indexOf('project'), 1);
    expect(await failure(src.listMaster('project', null))).toMatchObject({ code: 'erp.not_found' });
    expect(await failure(src.listMaster('project', null))).toMatchObject({ code: 'erp.not_found' });
    expect(src.kinds()).not.toContain('project');
    rig.fake.master.shared.push('project');

    rig.fake.failNext({ status: 503, body: JSON.stringify({ error: { code: 'unavailable', message: 'down' } }) });
    expect(await failure(src.listMaster('supplier', null))).toMatchObject({ code: 'erp.unavailable', retryable: true });
    rig.fake.mangleNext((p) => ({ ...(p as Record<string, unknown>), records: [{ id: 'S-1', name: 'X', active: 'yes', version: 'm1' }] }));
    const bad = await failure(src.listMaster('supplier', null));
    expect(bad).toMatchObject({ code: 'erp.rpc_error' });
    expect(bad.message).toMatch(/records\[0\]\.active/);
    const fresh = sourceOf(rig.connectorWith({ token: 'wrong' }));
    expect(await failure(fresh.refreshKinds())).toMatchObject({ code: 'erp.auth' });
    expect(fresh.kinds(), 'still the instance list after a failed ask').toEqual([...MASTER_KINDS]);
  });
});
