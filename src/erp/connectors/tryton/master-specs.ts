import type { MasterKind } from '../../../core/master-kinds.ts';
import type { MasterRecord } from '../../master-data-port.ts';
import { newestOf } from './window-cursor.ts';

/**
 * What each kind of master data is in Tryton 6.0 (the modules this connector expects: company, party, product, stock,
 * account), read as the bot user over JSON-RPC:
 * - supplier, customer: party.party (party module). A party has no supplier or customer flag in 6.0; every party is
 *   both unless the instance names a party category for the kind (settings.master_data). `code` is the party's code,
 *   `tax_id` its tax identifier, `email`/`phone` its first active contact mechanisms of those types.
 * - employee: company.employee of the instance's company (company module): the name, email and mobile are its party's;
 *   active between start_date and end_date (empty: unbounded), in the company's calendar.
 * - material: product.product (product module): code, name (the template's), unit (default unit of measure).
 * - warehouse: stock.location of type "warehouse" (stock module).
 * - account: account.account of the company; a closed account (no moves: the chart's root and other structural
 *   accounts, or one closed later) is inactive; `type` is its account type's name.
 * Tryton has no department, project or expense category model among these modules: those kinds are not shared.
 * Archived records (Tryton's `active`) are read too (context active_test false) and shared as inactive.
 */
export const TRYTON_MASTER_KINDS = ['supplier', 'customer', 'employee', 'material', 'warehouse', 'account'] as const satisfies readonly MasterKind[];
export type TrytonMasterKind = (typeof TRYTON_MASTER_KINDS)[number];

type Related<T> = T | null | undefined;
type Row = Record<string, unknown> & { id: number; write_date: string | null; create_date: string };

export interface Mechanism { id: number; party: number; type: string; value: string | null; active: boolean | number; write_date: string | null; create_date: string }
export const MECHANISM_FIELDS = ['id', 'party', 'type', 'value', 'active', 'write_date', 'create_date'];

/** What a record's mapping may use besides its row. */
export interface SpecContext {
  /** YYYY-MM-DD in the company's calendar. */
  today: string;
  /** Contact mechanisms of the page's parties (read when the spec asks for them). */
  mechanisms: Mechanism[];
  /** Party category ids that make a party a supplier or customer (null: every party). */
  categories: number[] | null;
}

export interface MasterSpec {
  model: string;
  /** Filters every read (the company, a location type); `company` is the context's. */
  domain(company: number): unknown[];
  /** The dates whose change means the record changed (its own and related records'). */
  dates: readonly string[];
  fields: string[];
  /** The party of a row whose contact mechanisms the mapping reads (none: not read). */
  partyOf?(row: Row): number | null;
  map(row: Row, c: SpecContext): { record: Omit<MasterRecord, 'kind' | 'versionStamp'>; newest: string };
}

const bool = (v: unknown): boolean => v === true || v === 1;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const own = (r: Row) => [r.write_date, r.create_date];

/** Plain string attributes without the empty ones. */
function attrs(values: Record<string, string | undefined>): { attrs?: Record<string, string> } {
  const kept = Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => !!e[1]));
  return Object.keys(kept).length ? { attrs: kept } : {};
}

function contact(mechanisms: Mechanism[], party: number | null): { email?: string; phone?: string; mobile?: string; dates: (string | null)[] } {
  const mine = mechanisms.filter((m) => m.party === party);
  const first = (type: string) => text(mine.find((m) => m.type === type && bool(m.active))?.value);
  return { email: first('email'), phone: first('phone'), mobile: first('mobile'), dates: mine.flatMap((m) => [m.write_date, m.create_date]) };
}

const PARTY_FIELDS = ['id', 'name', 'code', 'active', 'categories', 'write_date', 'create_date', 'tax_identifier.code'];
const PARTY_DATES = ['write_date', 'create_date', 'contact_mechanisms.write_date', 'contact_mechanisms.create_date'];

function partySpec(): MasterSpec {
  return {
    model: 'party.party', domain: () => [], dates: PARTY_DATES, fields: PARTY_FIELDS, partyOf: (r) => r.id,
    map: (r, c) => {
      const m = contact(c.mechanisms, r.id);
      const member = c.categories === null || ((r.categories as number[] | undefined) ?? []).some((id) => c.categories?.includes(id));
      const taxId = text((r['tax_identifier.'] as Related<{ code: string }>)?.code);
      return {
        newest: newestOf(...own(r), ...m.dates) ?? r.create_date,
        record: {
          erpId: String(r.id), ...(text(r.code) ? { code: text(r.code) } : {}), name: text(r.name) ?? String(r.id),
          active: bool(r.active) && member, ...attrs({ tax_id: taxId, email: m.email, phone: m.phone }),
        },
      };
    },
  };
}

export const MASTER_SPECS: Record<TrytonMasterKind, MasterSpec> = {
  supplier: partySpec(),
  customer: partySpec(),
  employee: {
    model: 'company.employee', domain: (company) => [['company', '=', company]],
    dates: ['write_date', 'create_date', 'party.write_date', 'party.create_date', 'party.contact_mechanisms.write_date', 'party.contact_mechanisms.create_date'],
    fields: ['id', 'party', 'start_date', 'end_date', 'write_date', 'create_date', 'party.name', 'party.active', 'party.write_date', 'party.create_date'],
    partyOf: (r) => (typeof r.party === 'number' ? r.party : null),
    map: (r, c) => {
      const party = r['party.'] as Related<{ name: string; active: boolean | number; write_date: string | null; create_date: string }>;
      const m = contact(c.mechanisms, typeof r.party === 'number' ? r.party : null);
      const start = text(r.start_date);
      const end = text(r.end_date);
      const employed = (!start || start <= c.today) && (!end || end >= c.today);
      return {
        newest: newestOf(...own(r), party?.write_date, party?.create_date, ...m.dates) ?? r.create_date,
        record: {
          erpId: String(r.id), name: text(party?.name) ?? String(r.id), active: employed && bool(party?.active ?? true),
          ...attrs({ email: m.email, mobile: m.mobile, phone: m.phone }),
        },
      };
    },
  },
  material: {
    model: 'product.product', domain: () => [],
    dates: ['write_date', 'create_date', 'template.write_date', 'template.create_date'],
    fields: ['id', 'code', 'name', 'active', 'type', 'write_date', 'create_date', 'default_uom.symbol', 'default_uom.name', 'template.write_date', 'template.create_date'],
    map: (r) => {
      const template = r['template.'] as Related<{ write_date: string | null; create_date: string }>;
      const uom = r['default_uom.'] as Related<{ symbol: string | null; name: string }>;
      return {
        newest: newestOf(...own(r), template?.write_date, template?.create_date) ?? r.create_date,
        record: {
          erpId: String(r.id), ...(text(r.code) ? { code: text(r.code) } : {}), name: text(r.name) ?? String(r.id), active: bool(r.active),
          ...attrs({ unit: text(uom?.symbol) ?? text(uom?.name), type: text(r.type) }),
        },
      };
    },
  },
  warehouse: {
    model: 'stock.location', domain: () => [['type', '=', 'warehouse']], dates: ['write_date', 'create_date'],
    fields: ['id', 'code', 'name', 'active', 'write_date', 'create_date'],
    map: (r) => ({
      newest: newestOf(...own(r)) ?? r.create_date,
      record: { erpId: String(r.id), ...(text(r.code) ? { code: text(r.code) } : {}), name: text(r.name) ?? String(r.id), active: bool(r.active) },
    }),
  },
  account: {
    model: 'account.account', domain: (company) => [['company', '=', company]], dates: ['write_date', 'create_date'],
    fields: ['id', 'code', 'name', 'active', 'closed', 'write_date', 'create_date', 'type.name'],
    map: (r) => ({
      newest: newestOf(...own(r)) ?? r.create_date,
      record: {
        erpId: String(r.id), ...(text(r.code) ? { code: text(r.code) } : {}), name: text(r.name) ?? String(r.id),
        active: bool(r.active) && !bool(r.closed), ...attrs({ type: text((r['type.'] as Related<{ name: string }>)?.name) }),
      },
    }),
  },
};
