/**
 * The kinds of master data an ERP instance can share with the service (src/erp/master-data-port.ts): synced into
 * erp_master_records, offered by form fields whose `source` names a kind (intents/*.yaml), and compared with the
 * directory for drift. `employee` records are the ERP's people (or their parties) that directory users map to.
 */
export const MASTER_KINDS = [
  'supplier', 'customer', 'project', 'department', 'expense_category', 'account', 'warehouse', 'material', 'employee',
] as const;
export type MasterKind = (typeof MASTER_KINDS)[number];
