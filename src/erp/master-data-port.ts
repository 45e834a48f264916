import type { MasterKind } from '../core/master-kinds.ts';

/**
 * Master data an ERP instance shares (docs/erp.md): records of each kind, read incrementally by an opaque cursor
 * per kind. Connectors offer it as `ErpConnector.masterData`.
 */
export interface MasterRecord {
  kind: MasterKind;
  /** The ERP's own id of the record (stable across renames). */
  erpId: string;
  /** The ERP's code (supplier number, material code) where it has one. */
  code?: string;
  name: string;
  /** Other names people use: short names, former names the ERP keeps, codes in another script. */
  aliases?: string[];
  /** False once the ERP archives or deactivates it (the service keeps the row and stops offering it). */
  active: boolean;
  /**
   * Kind-specific plain values: employee → `email`, `mobile`, `department`; material → `unit`, `model`;
   * supplier/customer → `tax_id`. Strings only.
   */
  attrs?: Record<string, string>;
  /** Changes whenever the record changes (a write date, a version). */
  versionStamp: string;
}

export interface MasterPage { records: MasterRecord[]; nextCursor: string; hasMore: boolean }

export interface MasterDataSource {
  /** The kinds this instance shares (those it can read and the instance file did not switch off). */
  kinds(): MasterKind[];
  /**
   * For an ERP that says at run time which kinds it shares (a REST adapter's `GET /master-data`): asks it, so that
   * `kinds()` is exact afterwards. A sync calls it before reading `kinds()`.
   */
  refreshKinds?(): Promise<MasterKind[]>;
  /** Records of one kind created or changed since the cursor (null = all), at most `limit` a page. */
  listMaster(kind: MasterKind, cursor: string | null, opts?: { limit?: number }): Promise<MasterPage>;
}
