import type { Kysely, Transaction } from 'kysely';
import type { IntentDefinition } from '../config/intent-schema.ts';
import type { Database } from '../db/database.ts';
import { localized, type Localized } from '../i18n/catalog.ts';
import { erpPersonOf } from './person-links.ts';
import { hasRecords } from './records-repo.ts';

type Db = Kysely<Database> | Transaction<Database>;

const REQUESTER = /\{\{\s*requester\./;

/**
 * Whether an intent's ERP document pays the requester (an expense reimbursement, or a payload whose `party` is the
 * requester): the ERP then needs the requester as one of its people (an employee, or the employee's party).
 */
export function paysRequester(intent: IntentDefinition): boolean {
  const erp = intent.erp;
  if (!erp) return false;
  return erp.doc_kind === 'expense_reimbursement' || REQUESTER.test(erp.payload['party'] ?? '');
}

/**
 * Why a request that pays its requester cannot be submitted yet: the instance shares its employees (some were
 * synced) and the requester is linked to none of them, so the ERP would refuse (or pay the wrong person). Null when
 * the intent does not pay the requester, the instance shares no employees, or the requester is linked.
 */
export async function unlinkedRequester(db: Db, tenantId: string, connector: string, intent: IntentDefinition, userId: string): Promise<Localized | null> {
  if (!paysRequester(intent)) return null;
  if (!(await hasRecords(db, tenantId, connector, 'employee'))) return null;
  if (await erpPersonOf(db, tenantId, connector, userId)) return null;
  return localized('form.erpPersonMissing', { instance: connector });
}
