import type { MasterKind } from '../../src/core/master-kinds.ts';
import { ErpRefusal } from './rest-adapter-ledger.ts';
import { Missing } from './rest-adapter-origin.ts';

/**
 * Master data in the ERP behind the fake adapter: the contract's `/master-data` (docs/erp-rest-contract.openapi.yaml,
 * MasterRecord: the id stays across renames, `version` changes with every change, records are never dropped from
 * the feed and a deactivated one reads `active: false`). Tests act as the ERP's data stewards.
 */
export interface MasterEntry {
  kind: MasterKind;
  id: string;
  code: string | null;
  name: string;
  aliases: string[];
  active: boolean;
  attrs: Record<string, string>;
  version: string;
  seq: number;
}

export class FakeMasterBook {
  private readonly records = new Map<string, MasterEntry>();
  private nextId = 1;
  private seq = 0;

  constructor(readonly shared: MasterKind[]) {}

  of(kind: MasterKind): MasterEntry[] { return [...this.records.values()].filter((r) => r.kind === kind); }

  add(kind: MasterKind, r: { code?: string; name: string; aliases?: string[]; attrs?: Record<string, string> }): MasterEntry {
    if (r.code && this.of(kind).some((x) => x.code === r.code)) throw new ErpRefusal(`${kind} code ${r.code} is taken`);
    const e: MasterEntry = {
      kind, id: `${kind}-${this.nextId++}`, code: r.code ?? null, name: r.name, aliases: [...(r.aliases ?? [])], active: true,
      attrs: { ...r.attrs }, version: '', seq: 0,
    };
    this.records.set(e.id, e);
    return this.touch(e);
  }

  /** A rename keeps the id; the former name stays as an alias, as ERPs that keep name history show it. */
  rename(id: string, name: string): MasterEntry {
    const e = this.need(id);
    if (e.name !== name && !e.aliases.includes(e.name)) e.aliases.push(e.name);
    e.name = name;
    return this.touch(e);
  }

  deactivate(id: string): MasterEntry {
    const e = this.need(id);
    e.active = false;
    return this.touch(e);
  }

  /** Records of a kind changed after `cursor` (a sequence number), oldest first. */
  changes(kind: MasterKind, cursor: number, limit: number): { records: MasterEntry[]; next: number; hasMore: boolean } {
    const after = this.of(kind).filter((r) => r.seq > cursor).sort((a, b) => a.seq - b.seq);
    const records = after.slice(0, limit);
    return { records, next: records.at(-1)?.seq ?? cursor, hasMore: after.length > limit };
  }

  json(e: MasterEntry): Record<string, unknown> {
    return { id: e.id, code: e.code, name: e.name, aliases: [...e.aliases], active: e.active, attrs: { ...e.attrs }, version: e.version };
  }

  private need(id: string): MasterEntry {
    const e = this.records.get(id);
    if (!e) throw new Missing(`no record ${id}`);
    return e;
  }

  private touch(e: MasterEntry): MasterEntry {
    e.seq = ++this.seq;
    e.version = `m${e.seq}`;
    return e;
  }
}
