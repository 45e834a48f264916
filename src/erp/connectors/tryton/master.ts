import type { Clock } from '../../../core/clock.ts';
import type { MasterKind } from '../../../core/master-kinds.ts';
import type { MasterDataSource, MasterPage, MasterRecord } from '../../master-data-port.ts';
import { validation } from './lookups.ts';
import { MASTER_SPECS, MECHANISM_FIELDS, TRYTON_MASTER_KINDS, type Mechanism, type TrytonMasterKind } from './master-specs.ts';
import type { TrytonRpcClient } from './rpc-client.ts';
import type { TrytonSettings } from './settings.ts';
import { changedSinceDomain, decodeWindow, newestOf, nextWindow, resume } from './window-cursor.ts';

/**
 * Tryton's master data (MasterDataSource; what each kind is: master-specs.ts), read incrementally per kind with the
 * window cursor of window-cursor.ts: records created or changed since the cursor (a related record's dates count:
 * a product's template, a party's contact mechanisms), archived ones included, keyset pages by id. A page costs one
 * search_read, plus one read of contact mechanisms for parties and employees. versionStamp: the record's newest
 * timestamp (related records' included) and its active flag.
 *
 * A supplier or customer category (settings.master_data) narrows the first full read to its parties; later reads
 * share every changed party, those outside the category as inactive (so one taken out of it stops being offered).
 */
const CURSOR_PREFIX = (kind: TrytonMasterKind) => `tm1.${kind}.`;
const ALL = { active_test: false };

const isTrytonKind = (k: MasterKind): k is TrytonMasterKind => (TRYTON_MASTER_KINDS as readonly string[]).includes(k);

export class TrytonMasterData implements MasterDataSource {
  private readonly enabled: TrytonMasterKind[];

  constructor(
    private readonly rpc: TrytonRpcClient,
    private readonly settings: TrytonSettings,
    private readonly clock: Clock,
    /** The kinds the instance file switched on (null: every kind Tryton shares); checked by the connector. */
    kinds: readonly TrytonMasterKind[] | null,
  ) {
    this.enabled = TRYTON_MASTER_KINDS.filter((k) => !kinds || kinds.includes(k));
  }

  kinds(): MasterKind[] { return [...this.enabled]; }

  async listMaster(kind: MasterKind, cursor: string | null, opts: { limit?: number } = {}): Promise<MasterPage> {
    if (!isTrytonKind(kind) || !this.enabled.includes(kind)) {
      throw validation(`this Tryton instance shares ${this.enabled.join(', ') || 'no master data'}, not ${kind}`);
    }
    const spec = MASTER_SPECS[kind];
    const limit = Math.max(1, opts.limit ?? 200);
    const prefix = CURSOR_PREFIX(kind);
    const { since, after, newest } = resume(decodeWindow(prefix, cursor));
    const company = (this.rpc.context ?? await this.rpc.login()).company;
    const categories = await this.categories(kind);
    const rows = await this.rpc.searchRead<Record<string, unknown> & { id: number; write_date: string | null; create_date: string }>(spec.model, [
      ...spec.domain(company), ['id', '>', after], ...changedSinceDomain(since, spec.dates),
      ...(categories && since === null ? [['categories', 'in', categories]] : []),
    ], spec.fields, { limit, order: [['id', 'ASC']] }, ALL);
    const parties = spec.partyOf ? rows.map(spec.partyOf).filter((p): p is number => p !== null) : [];
    const mechanisms = parties.length
      ? await this.rpc.searchRead<Mechanism>('party.contact_mechanism', [['party', 'in', parties]], MECHANISM_FIELDS, { order: [['id', 'ASC']] }, ALL)
      : [];
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: this.settings.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(this.clock.now());
    const mapped = rows.map((r) => spec.map(r, { today, mechanisms, categories }));
    const records: MasterRecord[] = mapped.map(({ record, newest: n }) => ({ kind, ...record, versionStamp: `${n}|${record.active ? 1 : 0}` }));
    return {
      records,
      ...nextWindow(prefix, { since, newest: newestOf(newest, ...mapped.map((m) => m.newest)), count: rows.length, limit, lastId: rows.at(-1)?.id ?? after }),
    };
  }

  /** The party categories of a supplier or customer setting (a category named there must exist); null: none set. */
  private async categories(kind: TrytonMasterKind): Promise<number[] | null> {
    const name = kind === 'supplier' ? this.settings.master_data.supplier_category : kind === 'customer' ? this.settings.master_data.customer_category : undefined;
    if (!name) return null;
    const ids = await this.rpc.search('party.category', [['name', '=', name]], {}, ALL);
    if (ids.length === 0) throw validation(`Tryton has no party category "${name}" (settings.master_data.${kind}_category)`);
    return ids;
  }
}
